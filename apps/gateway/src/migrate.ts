/**
 * Applies pending migrations (drizzle's and graphile-worker's) to DATABASE_URL, then exits: the
 * one-shot `migrate` service of docker/compose.yaml, `pnpm --filter ./apps/gateway migrate` by hand.
 * DATABASE_URL is required here: falling back to an embedded Postgres would "succeed" on the wrong
 * database. (The apps also migrate at start; this lets a deployment do it once, before them.)
 */
import { migrateDatabase } from "@darkroom/db";
import { readGatewayConfig } from "./env.ts";

async function main() {
  const { databaseUrl } = readGatewayConfig();
  if (!databaseUrl) throw new Error("DATABASE_URL is required to apply migrations");
  await migrateDatabase(databaseUrl);
  console.error("migrations applied");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
