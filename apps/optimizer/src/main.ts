import { createDb, migrateDatabase, resolveDatabase } from "@darkroom/db";
import { createStorage } from "@darkroom/storage";
import pino from "pino";
import { readOptimizerConfig } from "./env.ts";
import { startOptimizer } from "./worker.ts";

async function main() {
  const config = readOptimizerConfig();
  const log = pino({ level: config.logLevel, base: { app: "optimizer" } });
  const database = await resolveDatabase(config.databaseUrl, config.dataDir);
  await migrateDatabase(database.url);
  const { db, sql, close } = createDb(database.url, { max: config.concurrency + 4 });
  const storage = createStorage({
    env: config.storageEnv,
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    // The optimizer never signs upload URLs.
    signingSecret: "unused-by-the-optimizer",
  });
  const optimizer = await startOptimizer({ config, db, sql, storage, databaseUrl: database.url, log });
  log.info({ concurrency: config.concurrency }, "optimizer started");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: finishing running jobs");
    const force = setTimeout(() => process.exit(1), 60_000).unref();
    await optimizer.stop();
    await close();
    await database.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
