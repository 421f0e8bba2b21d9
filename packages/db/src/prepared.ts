import type { Database, Transaction } from "./client.ts";

/**
 * A statement built once per database client and reused (drizzle's prepared queries skip the query
 * building that otherwise runs on every call; postgres.js keeps them prepared on the server). Given
 * a transaction's handle, it is built for that transaction, so that it runs inside it.
 */
export function preparedStatement<T>(build: (db: Database | Transaction) => T): (db: Database | Transaction) => T {
  const cache = new WeakMap<Database | Transaction, T>();
  return (db) => {
    let statement = cache.get(db);
    if (statement === undefined) {
      statement = build(db);
      cache.set(db, statement);
    }
    return statement;
  };
}
