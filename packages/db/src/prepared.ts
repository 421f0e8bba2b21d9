import type { Database } from "./client.ts";

/**
 * A statement built once per database client and reused (drizzle's prepared queries skip the query
 * building that otherwise runs on every call; postgres.js keeps them prepared on the server).
 */
export function preparedStatement<T>(build: (db: Database) => T): (db: Database) => T {
  const cache = new WeakMap<Database, T>();
  return (db) => {
    let statement = cache.get(db);
    if (statement === undefined) {
      statement = build(db);
      cache.set(db, statement);
    }
    return statement;
  };
}
