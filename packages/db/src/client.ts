import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Sql = postgres.Sql;
export type Database = ReturnType<typeof createDb>["db"];
/** The transaction a `db.transaction(async (tx) => …)` callback receives. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DbOptions {
  /** Connections in the pool (clamped to 1..100). */
  max?: number;
  /** Called for every statement sent, e.g. to count queries in tests. */
  onQuery?: (query: string) => void;
}

/** One postgres.js pool and the drizzle client over it. */
export function createDb(url: string, options: DbOptions = {}) {
  const max = Math.min(Math.max(options.max ?? 10, 1), 100);
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
    ...(options.onQuery ? { debug: (_conn: number, query: string) => options.onQuery?.(query) } : {}),
  });
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}
