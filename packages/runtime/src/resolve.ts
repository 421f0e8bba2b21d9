import { type EmbeddedDatabase, startEmbeddedPostgres } from "./embedded.ts";

/**
 * DATABASE_URL when given, else the embedded Postgres under DATA_DIR (started or reused); without
 * DATABASE_URL, a production install (no embedded Postgres) fails with EmbeddedPostgresMissingError.
 */
export async function resolveDatabase(databaseUrl: string | undefined, dataDir: string): Promise<EmbeddedDatabase> {
  if (databaseUrl) return { url: databaseUrl, stop: async () => {}, reused: true };
  return startEmbeddedPostgres(dataDir);
}
