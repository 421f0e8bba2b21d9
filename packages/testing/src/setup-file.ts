/**
 * Runs before each integration test file. A test process runs several files one after another
 * (vitest `isolate: false`) while other processes run theirs at once:
 * - each process gets a temporary directory of its own (TMPDIR, which `os.tmpdir()` reads), so tests
 *   that count the gateway's spooled uploads never see another file's (or another run's), and each
 *   file starts with it (whatever TMPDIR the previous file set);
 * - sharp's process-wide settings, which starting an optimizer changes, are back to their defaults,
 *   as in a process of its own.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";

let dir = process.env.DARKROOM_TEST_TMPDIR;
if (!dir) {
  const created = mkdtempSync(path.join(os.tmpdir(), "darkroom-test-"));
  // Like /tmp itself: as root, an embedded Postgres runs as the postgres user and reads files here.
  chmodSync(created, 0o1777);
  process.once("exit", () => rmSync(created, { recursive: true, force: true }));
  process.env.DARKROOM_TEST_TMPDIR = dir = created;
}
// Again before each file: a test may point TMPDIR elsewhere for itself.
process.env.TMPDIR = dir;

sharp.concurrency(0);
sharp.cache(true);
