import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import postgres from "postgres";

const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

/** Any fixed number: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 72_410_001;

/**
 * Applies the committed drizzle migrations and graphile-worker's own schema.
 * Safe when several processes start at once: they take turns on an advisory lock,
 * and whoever comes second finds nothing left to do.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    try {
      await migrate(drizzle(sql), { migrationsFolder });
      await runWorkerMigrations({ connectionString: url, logger: silentLogger });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const silentLogger = new Logger(() => () => {});
