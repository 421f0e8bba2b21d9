import { afterAll, describe, expect, inject, it } from "vitest";
import { createDb } from "../src/index.ts";

const url = inject("databaseServerUrl");
const clients: ReturnType<typeof createDb>[] = [];
afterAll(() => Promise.all(clients.map((client) => client.close())));

function client(options: Parameters<typeof createDb>[1]) {
  const created = createDb(url, options);
  clients.push(created);
  return created;
}

describe("createDb", () => {
  it("commits synchronously unless told otherwise, on every connection of both pools", async () => {
    const { sql, reads } = client({ max: 2 });
    const [a, b, c] = await Promise.all([
      sql`select current_setting('synchronous_commit') as value`,
      sql`select current_setting('synchronous_commit') as value, pg_sleep(0.05)`,
      reads`select current_setting('synchronous_commit') as value`,
    ]);
    expect([a?.[0]?.value, b?.[0]?.value, c?.[0]?.value]).toEqual(["on", "on", "on"]);
  });

  it("synchronousCommit: false turns it off for every connection, transactions included", async () => {
    const { sql, db } = client({ max: 2, synchronousCommit: false });
    const [a, b] = await Promise.all([
      sql`select current_setting('synchronous_commit') as value, pg_sleep(0.05)`,
      sql`select current_setting('synchronous_commit') as value`,
    ]);
    const inTransaction = await db.transaction(
      async (tx) => (await tx.execute<{ value: string }>("select current_setting('synchronous_commit') as value"))[0],
    );
    expect([a?.[0]?.value, b?.[0]?.value, inTransaction?.value]).toEqual(["off", "off", "off"]);
  });
});
