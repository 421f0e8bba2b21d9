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
  /** Connections of the `reads` pool (clamped to 1..20, default `READ_POOL_SIZE`). */
  readPool?: number;
  /**
   * `false`: a commit answers before its WAL record is flushed to disk (Postgres'
   * `synchronous_commit = off`), about a millisecond sooner here. Only for a client whose writes a
   * later synchronous commit makes durable anyway (the optimizer's: see its `main.ts`).
   */
  synchronousCommit?: boolean;
  /** Called for every statement sent, e.g. to count queries in tests. */
  onQuery?: (query: string) => void;
}

/** Connections of `createDb`'s pool of point reads unless told otherwise. */
export const READ_POOL_SIZE = 2;

const clamp = (value: number | undefined, fallback: number, max: number) =>
  Math.min(Math.max(Math.floor(value ?? fallback), 1), max);

/**
 * One postgres.js pool and the drizzle client over it, plus `reads`: a small pool for short point
 * reads (a file by id), which postgres.js pipelines. Sent over two connections instead of one each,
 * such statements cost one socket write for many and Postgres wakes two backends instead of twenty:
 * with 16 clients reading one file, the gateway served about 1.5x the requests/s (`pnpm bench:gateway`).
 * Transactions and longer statements stay in the main pool, where they never hold up a point read.
 * Neither pool connects before its first statement.
 */
export function createDb(url: string, options: DbOptions = {}) {
  const connect = (max: number) =>
    postgres(url, {
      max,
      onnotice: () => {},
      connect_timeout: 10,
      idle_timeout: 60,
      ...(options.synchronousCommit === false ? { connection: { synchronous_commit: "off" } } : {}),
      ...(options.onQuery ? { debug: (_conn: number, query: string) => options.onQuery?.(query) } : {}),
    });
  const sql = connect(clamp(options.max, 10, 100));
  const reads = connect(clamp(options.readPool, READ_POOL_SIZE, 20));
  const db = drizzle(sql, { schema });
  return {
    sql,
    db,
    reads,
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), reads.end({ timeout: 5 })]);
    },
  };
}
