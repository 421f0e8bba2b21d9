import { createDb, migrateDatabase, resolveDatabase } from "@darkroom/db";
import { buildApp } from "./app.ts";
import { readGatewayConfig } from "./env.ts";
import { createGatewayStorage } from "./storage.ts";

async function main() {
  const config = readGatewayConfig();
  const database = await resolveDatabase(config.databaseUrl, config.dataDir);
  await migrateDatabase(database.url);
  const { db, sql, close } = createDb(database.url, { max: 20 });
  const app = await buildApp({ config, db, sql, ...(await createGatewayStorage(config)) });
  await app.listen({ port: config.port, host: config.host });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => process.exit(1), 25_000).unref();
    await app.close();
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
