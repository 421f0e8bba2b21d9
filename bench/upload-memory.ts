/**
 * `pnpm bench:upload-memory [concurrency]`: how much a gateway's memory grows while it takes
 * 20 MB uploads. Starts a real gateway process, uploads a 20 MB JPEG `concurrency` times at once
 * (default 1, then 10) and prints its RSS before and its peak RSS during the uploads (VmHWM, reset first).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb, migrateDatabase } from "@darkroom/db";
import { resolveDatabase } from "@darkroom/runtime";
import { createAgency } from "../apps/gateway/src/auth/agencies.ts";
import { memoryOf, root, waitForHealth } from "./service.ts";

const MB = 1024 * 1024;

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

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-bench-"));
  const database = await resolveDatabase(process.env.DATABASE_URL, path.join(root, ".data"));
  await migrateDatabase(database.url);
  const { db, close } = createDb(database.url, { max: 2 });
  const { apiKey } = await createAgency(db, "bench");
  const port = 4700 + Math.floor(Math.random() * 200);
  const url = `http://127.0.0.1:${port}`;
  const gateway: ChildProcess = spawn(process.execPath, ["--import", "tsx", "apps/gateway/src/main.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: "inherit",
  });
  try {
    await waitForHealth(url);
    const photo = readFileSync(path.join(root, "test/fixtures/photos/sunset_by_Aitzol_Berasategi.jpg"));
    const twentyMb = Buffer.concat([photo, Buffer.alloc(20 * MB - photo.length)]);
    // Warm up (first-request compilation and lazy imports are not the upload's cost).
    for (let i = 0; i < 3; i++) await uploadOnce(url, apiKey, photo);
    for (const concurrency of process.argv[2] ? [Number(process.argv[2])] : [1, 10]) {
      const peakReset = resetPeak(gateway.pid as number);
      const before = memoryOf(gateway.pid as number);
      const started = performance.now();
      const statuses = await Promise.all(Array.from({ length: concurrency }, () => uploadOnce(url, apiKey, twentyMb)));
      const after = memoryOf(gateway.pid as number);
      console.log(
        `${concurrency} x 20 MB upload(s): statuses ${[...new Set(statuses)].join(",")}, ` +
          `${((performance.now() - started) / 1000).toFixed(2)} s; gateway RSS before ${before.rssMb.toFixed(1)} MB, ` +
          `peak ${after.peakMb.toFixed(1)} MB: +${(after.peakMb - before.rssMb).toFixed(1)} MB` +
          (peakReset ? "" : " (the peak could not be reset: it may be one from before the uploads)"),
      );
    }
  } finally {
    gateway.kill("SIGTERM");
    await close();
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
