import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../helpers.ts";
import { graphql, MEDIA_FIELDS, markOptimized } from "./client.ts";

let gateway: Gateway;
let key: string;
let ids: number[];
const statements: string[] = [];

beforeAll(async () => {
  gateway = await startGateway({}, { onQuery: (query) => statements.push(query) });
  const { apiKey, agencyId } = await gateway.createAgency("Bulk");
  key = apiKey;
  const { sql } = gateway.database;
  const rows = Array.from({ length: 100 }, (_, i) => ({
    agency_id: agencyId,
    size: 1000 + i,
    content_type: "image/jpeg",
    sha256: `${i}`.padStart(64, "0"),
    storage_prefix: `m/bulk-${i}`,
    original_key: `m/bulk-${i}/original.jpg`,
  }));
  ids = (await sql<{ id: number }[]>`insert into media ${sql(rows)} returning id`).map((row) => row.id);
  await markOptimized(gateway, ids);
});
afterAll(() => gateway?.close());

/** The SQL statements one GraphQL request costs, authentication included. */
async function statementsOf(query: string, variables: Record<string, unknown> = {}) {
  statements.length = 0;
  const response = await graphql(gateway, key, query, variables);
  expect(response.errors).toBeUndefined();
  return { data: response.data, count: statements.length };
}

describe("no N+1", () => {
  it("a page of 100 files with their variants costs 3 statements: the key, the page, the variants", async () => {
    const { data, count } = await statementsOf(
      `{ medias(first: 100) { edges { cursor node { ${MEDIA_FIELDS} variant(size: SIZE_1024) { url } } } } }`,
    );
    expect(data.medias.edges).toHaveLength(100);
    for (const { node } of data.medias.edges) expect(node.variants).toHaveLength(3);
    expect(count).toBe(3);
  });

  it("files asked for one by one (aliases, node) load in one batch", async () => {
    const some = ids.slice(0, 10);
    const fields = some.map((id, i) => `m${i}: media(id: ${id}) { databaseId variants { url } }`).join("\n");
    const { data, count } = await statementsOf(`{ ${fields} }`);
    expect(Object.values(data).map((m) => (m as { databaseId: number }).databaseId)).toEqual(some);
    expect(count).toBe(3);

    const globalIds = Object.keys(data).map((_, i) => Buffer.from(`Media:${some[i]}`).toString("base64"));
    const nodes = globalIds.map((id, i) => `n${i}: node(id: "${id}") { ... on Media { databaseId } }`).join("\n");
    expect((await statementsOf(`{ ${nodes} }`)).count).toBe(3);
  });
});
