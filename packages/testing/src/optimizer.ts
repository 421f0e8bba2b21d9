import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Optimizer, startOptimizer } from "@darkroom/optimizer";
import { parseOptimizerConfig } from "@darkroom/optimizer/env";
import pino from "pino";
import type { Gateway } from "./gateway.ts";

export { colourDistance, heicFixture, meanColour, PHOTOS, photo, photosDir, pixelBomb } from "./photos.ts";

export const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Every regular file under `dir`, as paths relative to it; [] when `dir` does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if (typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT") return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Calls `check` every `intervalMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * An optimizer working beside a test gateway: same database, data directory and storage, silent logs
 * unless `log` is given. `env` adds to (or overrides) the optimizer's environment.
 */
export async function startOptimizerBeside(
  gateway: Gateway,
  env: Record<string, string> = {},
  log: pino.Logger = pino({ level: "silent" }),
): Promise<Optimizer> {
  return startOptimizer({
    config: parseOptimizerConfig({
      DATABASE_URL: gateway.database.url,
      DATA_DIR: gateway.dataDir,
      OPTIMIZER_CONCURRENCY: "2",
      LOG_LEVEL: "silent",
      ...env,
    }),
    db: gateway.database.db,
    sql: gateway.database.sql,
    storage: gateway.storage,
    databaseUrl: gateway.database.url,
    log,
  });
}
