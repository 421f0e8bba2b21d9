import { createDb, migrateDatabase } from "@darkroom/db";
import { handleShutdown, resolveDatabase } from "@darkroom/runtime";
import { buildApp } from "./app.ts";
import { readGatewayConfig } from "./env.ts";
import { createGatewayStorage } from "./storage.ts";

async function main() {
  const config = readGatewayConfig();
  // In-flight requests get 25 seconds to finish; new connections are refused at once.
  const shutdown = handleShutdown({ timeoutMs: 25_000, log: (message) => console.error(message) });
  await shutdown.starting(
    (async () => {
      const database = await resolveDatabase(config.databaseUrl, config.dataDir);
      shutdown.onStop(() => database.stop());
      await migrateDatabase(database.url);
      const { db, sql, reads, close } = createDb(database.url, { max: 20 });
      shutdown.onStop(close);
      const app = await buildApp({ config, db, sql, reads, ...(await createGatewayStorage(config)) });
      shutdown.onStop(() => app.close());
      await app.listen({ port: config.port, host: config.host });
    })(),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
