/**
 * `pnpm bench:upload-memory`: how much a gateway's memory grows while it takes large uploads. Starts a
 * real gateway process for each case (MAX_UPLOAD_BYTES raised to 256 MiB), warms it up with three small
 * uploads, then uploads a padded JPEG: 20 MB once, 20 MB ten times at once, or 200 MB once. Prints the
 * gateway's RSS before and its peak RSS during the uploads (VmHWM, reset first), next to the goal: one
 * 200 MB upload grows the peak by less than 64 MB, ten concurrent 20 MB uploads by less than 100 MB
 * (the body streams to disk, it is never held whole).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb, migrateDatabase } from "@darkroom/db";
import { anyFreePort, resolveDatabase } from "@darkroom/runtime";
import { createAgency } from "../apps/gateway/src/auth/agencies.ts";
import { memoryOf, root, waitForHealth } from "./service.ts";

const MB = 1024 * 1024;

/** The cases, in order: uploads at once, the size of each, and the goal for the peak's growth (none: shown for reference). */
const CASES: { concurrency: number; mb: number; goalMb?: number }[] = [
  { concurrency: 1, mb: 20 },
  { concurrency: 10, mb: 20, goalMb: 100 },
  { concurrency: 1, mb: 200, goalMb: 64 },
];

/**
 * Resets a process's peak RSS (VmHWM) to its current RSS (Linux: `5` to /proc/<pid>/clear_refs), so that
 * the peak read after the uploads is theirs, not one left from start-up; false where it is not allowed.
 */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function uploadOnce(url: string, apiKey: string, bytes: Buffer): Promise<number> {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(bytes)]), "big.jpg");
  const response = await fetch(`${url}/api/v1/media`, { method: "POST", body: form, headers: { "X-API-Key": apiKey } });
  await response.arrayBuffer();
  return response.status;
}

/** A gateway process over `databaseUrl`, taking uploads of up to 256 MiB. */
async function startGateway(databaseUrl: string, dataDir: string) {
  const port = await anyFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "apps/gateway/src/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: "warn",
      MAX_UPLOAD_BYTES: String(256 * MB),
    },
    stdio: "inherit",
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  try {
    await waitForHealth(url);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid as number, stop };
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-bench-"));
  const database = await resolveDatabase(process.env.DATABASE_URL, path.join(root, ".data"));
  await migrateDatabase(database.url);
  const { db, close } = createDb(database.url, { max: 2 });
  const { apiKey } = await createAgency(db, "bench");
  const photo = readFileSync(path.join(root, "test/fixtures/photos/sunset_by_Aitzol_Berasategi.jpg"));
  const padded = (mb: number) => Buffer.concat([photo, Buffer.alloc(mb * MB - photo.length)]);
  try {
    for (const { concurrency, mb, goalMb } of CASES) {
      // A fresh gateway for each case: what one case freed but the process kept would otherwise
      // make room for the next, whose growth would then look smaller than it is.
      const gateway = await startGateway(database.url, dataDir);
      try {
        // Warm up (first-request compilation and lazy imports are not the upload's cost).
        for (let i = 0; i < 3; i++) await uploadOnce(gateway.url, apiKey, photo);
        const body = padded(mb);
        const peakReset = resetPeak(gateway.pid);
        const before = memoryOf(gateway.pid);
        const started = performance.now();
        const statuses = await Promise.all(
          Array.from({ length: concurrency }, () => uploadOnce(gateway.url, apiKey, body)),
        );
        const after = memoryOf(gateway.pid);
        const growth = after.peakMb - before.rssMb;
        console.log(
          `${concurrency} x ${mb} MB upload(s): statuses ${[...new Set(statuses)].join(",")}, ` +
            `${((performance.now() - started) / 1000).toFixed(2)} s; gateway RSS before ${before.rssMb.toFixed(1)} MB, ` +
            `peak ${after.peakMb.toFixed(1)} MB: ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB` +
            (goalMb === undefined ? "" : ` (goal < ${goalMb} MB: ${growth < goalMb ? "met" : "NOT MET"})`) +
            (peakReset ? "" : " (the peak could not be reset: it may be one from before the uploads)"),
        );
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await close();
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
