import { createDb, migrateDatabase } from "@darkroom/db";
import { handleShutdown, resolveDatabase } from "@darkroom/runtime";
import { createStorage } from "@darkroom/storage";
import pino from "pino";
import { readOptimizerConfig } from "./env.ts";
import { serveMetrics } from "./metrics.ts";
import { jobsAtOnce, startOptimizer } from "./worker.ts";

async function main() {
  const config = readOptimizerConfig();
  const log = pino({ level: config.logLevel, base: { app: "optimizer" } });
  // Running jobs get a minute to finish; a job cut off by a hard kill is retried (see recovery.ts).
  const shutdown = handleShutdown({ timeoutMs: 60_000, log: (message) => log.info(message) });
  await shutdown.starting(
    (async () => {
      const database = await resolveDatabase(config.databaseUrl, config.dataDir);
      shutdown.onStop(() => database.stop());
      await migrateDatabase(database.url);
      // Our commits do not wait for the disk: every write of a job is followed by graphile-worker
      // completing (or failing) that job over its own connections, a synchronous commit, whose flush
      // takes ours with it (the WAL is one sequence). Should Postgres itself crash between the two,
      // the job was not completed either, and runs again.
      const { db, sql, close } = createDb(database.url, {
        max: jobsAtOnce(config) + 4,
        synchronousCommit: false,
      });
      shutdown.onStop(close);
      const storage = createStorage({
        env: config.storageEnv,
        dataDir: config.dataDir,
        publicUrl: config.publicUrl,
        signingSecret: "unused-by-the-optimizer", // the optimizer never signs upload URLs
      });
      const optimizer = await startOptimizer({ config, db, sql, storage, databaseUrl: database.url, log });
      shutdown.onStop(() => optimizer.stop());
      if (config.metricsPort > 0) {
        const server = await serveMetrics(optimizer.metrics, config.metricsPort, "0.0.0.0").catch((error: unknown) => {
          log.warn({ err: error, port: config.metricsPort }, "metrics are not served: the port is taken");
        });
        if (server) shutdown.onStop(async () => server.close());
      }
      log.info({ concurrency: config.concurrency, metricsPort: config.metricsPort }, "optimizer started");
    })(),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
