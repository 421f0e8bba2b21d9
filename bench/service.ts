/** Shared by the benchmarks: a fresh database, and the real gateway and optimizer processes over it. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, MEDIA_UPDATED_CHANNEL, migrateDatabase } from "@darkroom/db";
import { anyFreePort, resolveDatabase } from "@darkroom/runtime";
import postgres from "postgres";
import { createAgency } from "../apps/gateway/src/auth/agencies.ts";
import { appNodeArgs } from "../scripts/node-args.ts";

export const root = fileURLToPath(new URL("..", import.meta.url));

/** Real photos: `../shared/photos` when present, else the project's fixtures. */
export function benchPhotos(): { name: string; bytes: Buffer }[] {
  const shared = path.resolve(root, "../shared/photos");
  const dir = existsSync(shared) ? shared : path.join(root, "test/fixtures/photos");
  return readdirSync(dir)
    .filter((name) => /\.(jpe?g|png)$/i.test(name))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));
}

export function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: field("VmRSS"), peakMb: field("VmHWM") };
}

/** A process's `/proc/<pid>/stat` fields after its name: [0] is the state, [1] the parent's pid, [11] and [12] user and system ticks. */
function statFields(pid: number | string): string[] {
  return (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
}

/** User + system CPU time (in seconds) of a process's `statFields`; Linux counts it in ticks of 10 ms. */
const cpuSecondsIn = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / 100;

/** User + system CPU time a process has used so far, in seconds. */
export function cpuSecondsOf(pid: number): number {
  return cpuSecondsIn(statFields(pid));
}

/**
 * CPU time the Postgres server's processes have used so far, in seconds: the postmaster `postmasterOf`
 * found and its live children, whichever database they serve.
 */
export function postgresCpuSeconds(postmasterPid: number): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(entry);
      if (Number(entry) === postmasterPid || Number(fields[1]) === postmasterPid) total += cpuSecondsIn(fields);
    } catch {} // the process ended meanwhile
  }
  return total;
}

/**
 * The Postgres server's postmaster when it runs on this machine (the parent of our connection's
 * backend); undefined for a server elsewhere.
 */
export async function postmasterOf(sql: postgres.Sql): Promise<number | undefined> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  if (row === undefined) return undefined;
  try {
    if (readFileSync(`/proc/${row.pid}/comm`, "utf8").trim() !== "postgres") return undefined; // another process
    return Number(statFields(row.pid)[1]);
  } catch {
    return undefined; // no such process here
  }
}

/** The machine's busy and total CPU time so far, in seconds of all cores (Linux: /proc/stat, ticks of 10 ms). */
export function machineCpu(): { busy: number; total: number } {
  const [, ...ticks] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
  const values = ticks.map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0) / 100; // user … steal (guest time is within user)
  const idle = ((values[3] ?? 0) + (values[4] ?? 0)) / 100; // idle + iowait
  return { busy: total - idle, total };
}

/** Waits up to two minutes for the gateway (on a busy shared machine, tsx's start alone took over 30 s). */
export async function waitForHealth(url: string) {
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the gateway did not start");
}

/** Starts gateway and optimizer processes over a new database; `stop` removes everything. */
export async function startService(env: Record<string, string> = {}) {
  const server = await resolveDatabase(process.env.DATABASE_URL, path.join(root, ".data"));
  const name = `darkroom_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await migrateDatabase(databaseUrl);
  const { db, sql, close } = createDb(databaseUrl, { max: 4 });
  const { apiKey } = await createAgency(db, "bench");
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-bench-"));
  const port = await anyFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const children: Record<"gateway" | "optimizer", ChildProcess> = {} as never;
  for (const app of ["gateway", "optimizer"] as const) {
    // BENCH_NODE_ARGS: extra node flags for both processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles".
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    // The app's own flags first, as `pnpm start` gives them.
    const args = [...appNodeArgs[app], ...nodeArgs, "--import", "tsx", `apps/${app}/src/main.ts`];
    children[app] = spawn(process.execPath, args, {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        PORT: String(port),
        PUBLIC_URL: baseUrl,
        LOG_LEVEL: "warn",
        NODE_ENV: process.env.NODE_ENV ?? "production", // as `pnpm start` and the production image run
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2", // as `pnpm start` runs the optimizer
        RATE_LIMIT_PER_MINUTE: "1000000", // a benchmark's client is not the abuse the limit is for
        ...env,
      },
      stdio: "inherit",
    });
  }
  try {
    await waitForHealth(baseUrl);
  } catch (error) {
    for (const child of Object.values(children)) child.kill("SIGKILL"); // no orphans left running
    throw error;
  }
  return {
    baseUrl,
    databaseUrl,
    apiKey,
    sql,
    children,
    /** POSTs one multipart upload with node:http (the photo's body built once: the client stays cheap). */
    upload: (bytes: Buffer) => uploadRaw(baseUrl, apiKey, bytes),
    stop: async () => {
      for (const child of Object.values(children)) child.kill("SIGTERM");
      await Promise.all(Object.values(children).map((c) => new Promise((r) => c.once("exit", r))));
      await close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Each photo's multipart body, built once: copying megabytes into a new buffer costs the client
 * 10-15 ms a photo here, which a timed upload would otherwise count as the service's.
 */
const multipartBodies = new WeakMap<Buffer, { boundary: string; body: Buffer }>();

export function multipartBody(bytes: Buffer): { boundary: string; body: Buffer } {
  let built = multipartBodies.get(bytes);
  if (!built) {
    const boundary = `----darkroom${randomBytes(8).toString("hex")}`;
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo"\r\n` +
          "Content-Type: application/octet-stream\r\n\r\n",
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    built = { boundary, body };
    multipartBodies.set(bytes, built);
  }
  return built;
}

function uploadRaw(baseUrl: string, apiKey: string, bytes: Buffer): Promise<{ status: number; id: number }> {
  const { boundary, body } = multipartBody(bytes);
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v1/media`,
      {
        method: "POST",
        headers: {
          "X-API-Key": apiKey,
          "Content-Type": `multipart/form-data; boundary=${boundary}`,
          "Content-Length": body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: number };
          resolve({ status: res.statusCode ?? 0, id: parsed.id });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs `work` on every item, `concurrency` at a time. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Seconds `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/**
 * Each file's end of optimization (`success` or `failed`), from the service's `media_updated`
 * notifications: `finished` holds the ends seen so far, `done(id)` waits for one.
 */
export async function optimizationEnds(sql: postgres.Sql) {
  const finished = new Map<number, string>();
  const waiters = new Map<number, () => void>();
  await sql.listen(MEDIA_UPDATED_CHANNEL, (payload) => {
    const { id, optimization } = JSON.parse(payload) as { id: number; optimization: string };
    if (optimization === "success" || optimization === "failed") {
      finished.set(id, optimization);
      waiters.get(id)?.();
    }
  });
  const done = (id: number) =>
    new Promise<void>((resolve) => (finished.has(id) ? resolve() : waiters.set(id, resolve)));
  return { finished, done };
}
