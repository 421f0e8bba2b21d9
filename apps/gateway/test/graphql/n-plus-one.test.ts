import { type Gateway, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, MEDIA_FIELDS, markOptimized } from "./client.ts";

let gateway: Gateway;
let key: string;
let ids: number[];
let listingId: number;
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
  // A listing with 20 files, each of them in two other listings as well.
  const listings = await sql<{ id: number }[]>`
    insert into listings ${sql(["big", "first-half", "second-half", "all-again"].map((externalId) => ({ agency_id: agencyId, external_id: externalId })))}
    returning id`;
  const [big, firstHalf, secondHalf, again] = listings.map((row) => row.id);
  listingId = big ?? 0;
  const files = ids.slice(0, 20).flatMap((mediaId, position) => [
    { listing_id: big, media_id: mediaId, position },
    { listing_id: position < 10 ? firstHalf : secondHalf, media_id: mediaId, position },
    { listing_id: again, media_id: mediaId, position: 19 - position },
  ]);
  await sql`insert into listing_files ${sql(files)}`;
});
afterAll(() => gateway?.close());

/**
 * The SQL statements one GraphQL request costs. The key was looked up by an earlier request and is
 * cached (as it is for any client making more than one request), so it costs none; so has the pool
 * of point reads made its one-time type lookup.
 */
async function statementsOf(query: string, variables: Record<string, unknown> = {}) {
  expect((await graphql(gateway, key, "{ media(id: 1) { databaseId } }")).errors).toBeUndefined();
  // Twice: a query is executed by graphql-js the first time, compiled by graphql-jit after (compiled-queries.ts).
  const counts: number[] = [];
  let data: unknown;
  for (let run = 0; run < 2; run++) {
    statements.length = 0;
    const response = await graphql(gateway, key, query, variables);
    expect(response.errors).toBeUndefined();
    counts.push(statements.length);
    data = response.data;
  }
  expect(counts[1]).toBe(counts[0]);
  // biome-ignore lint/suspicious/noExplicitAny: test assertions inspect arbitrary JSON
  return { data: data as any, count: counts[0] as number };
}

describe("no N+1", () => {
  it("a page of 100 files with their variants costs 2 statements: the page, the variants", async () => {
    const { data, count } = await statementsOf(
      `{ medias(first: 100) { edges { cursor node { ${MEDIA_FIELDS} variant(size: SIZE_1024) { url } } } } }`,
    );
    expect(data.medias.edges).toHaveLength(100);
    for (const { node } of data.medias.edges) expect(node.variants).toHaveLength(3);
    expect(count).toBe(2);
  });

  it("files asked for one by one (aliases, node) load in one batch: one statement, variants included", async () => {
    const some = ids.slice(0, 10);
    const fields = some.map((id, i) => `m${i}: media(id: ${id}) { databaseId variants { url } }`).join("\n");
    const { data, count } = await statementsOf(`{ ${fields} }`);
    expect(Object.values(data).map((m) => (m as { databaseId: number }).databaseId)).toEqual(some);
    expect(count).toBe(1);

    const globalIds = Object.keys(data).map((_, i) => Buffer.from(`Media:${some[i]}`).toString("base64"));
    const nodes = globalIds.map((id, i) => `n${i}: node(id: "${id}") { ... on Media { databaseId } }`).join("\n");
    expect((await statementsOf(`{ ${nodes} }`)).count).toBe(1);
  });

  it("a listing with 20 files, their variants and their listings costs 4 statements", async () => {
    const { data, count } = await statementsOf(
      `query($id: Int!) { listing(id: $id) { databaseId title status media { ${MEDIA_FIELDS} listings { databaseId externalId } } } }`,
      { id: listingId },
    );
    expect(data.listing.media.map((m: { databaseId: number }) => m.databaseId)).toEqual(ids.slice(0, 20));
    for (const media of data.listing.media) {
      expect(media.variants).toHaveLength(3);
      expect(media.listings).toHaveLength(3);
    }
    // the listing, its files, their variants, their listings
    expect(count).toBe(4);
  });

  it("a page of 100 files with their listings costs 3 statements; a page of listings with their files 5", async () => {
    const { data, count } = await statementsOf(
      "{ medias(first: 100) { edges { node { databaseId variants { url } listings { databaseId } } } } }",
    );
    expect(data.medias.edges).toHaveLength(100);
    const listed = data.medias.edges.filter((edge: { node: { listings: unknown[] } }) => edge.node.listings.length > 0);
    expect(listed).toHaveLength(20);
    // the page, the variants, the listings
    expect(count).toBe(3);

    const listings = await statementsOf(
      "{ listings(first: 100) { edges { node { databaseId media { databaseId variants { url } listings { databaseId } } } } } }",
    );
    expect(listings.data.listings.edges).toHaveLength(4);
    // the page and its files (REST's listing service), the files with their variants, their listings
    expect(listings.count).toBe(5);
  });

  it("jobs asked for one by one (aliases, node) load in one statement", async () => {
    const jobIds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const imported = await graphql(
        gateway,
        key,
        `mutation { importMediaFromUrl(url: "http://93.184.216.34/photo-${i}.jpg") { ... on ImportMediaSuccess { jobId } } }`,
      );
      jobIds.push(imported.data.importMediaFromUrl.jobId);
    }
    const fields = jobIds.map((id, i) => `j${i}: job(id: ${id}) { databaseId status }`).join("\n");
    const { data, count } = await statementsOf(`{ ${fields} missing: job(id: 2000000000) { databaseId } }`);
    expect(Object.values(data)).toEqual([...jobIds.map((databaseId) => ({ databaseId, status: "PENDING" })), null]);
    expect(count).toBe(1);
    const globalIds = jobIds.map((id) => Buffer.from(`Job:${id}`).toString("base64"));
    const nodes = globalIds.map((id, i) => `n${i}: node(id: "${id}") { ... on Job { databaseId } }`).join("\n");
    expect((await statementsOf(`{ ${nodes} }`)).count).toBe(1);
  });
});
