import type { Sql } from "./client.ts";

/** Resolves once the database has answered a trivial statement (the health check's probe). */
export async function pingDatabase(sql: Sql): Promise<void> {
  await sql`select 1`;
}
