import { body, type Gateway, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, MEDIA_FIELDS, markOptimized } from "./client.ts";

let gateway: Gateway;
let key: string;
let png: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Rentix")).apiKey;
  png = await photo("goldfish.png");
});
afterAll(() => gateway?.close());

async function uploaded(apiKey = key, externalId?: string, bytes = png): Promise<number> {
  const response = await upload(gateway, apiKey, bytes, externalId);
  expect(response.status).toBe(201);
  return (await body(response)).id;
}

/** The REST media object of a file, in GraphQL's spelling. */
async function restAsGraphQL(id: number) {
  const rest = await body(await gateway.request(`/api/v1/media/${id}`, { apiKey: key }));
  return { ...rest, id: expect.any(String), databaseId: rest.id, optimization: rest.optimization.toUpperCase() };
}

describe("media(id)", () => {
  it("answers every field of the REST media object, with the same values", async () => {
    const id = await uploaded(key, "apt-001-photo-1");
    const { status, data, errors } = await graphql(
      gateway,
      key,
      `query($id: Int!) { media(id: $id) { ${MEDIA_FIELDS} } }`,
      {
        id,
      },
    );
    expect({ status, errors }).toEqual({ status: 200, errors: undefined });
    expect(data.media).toEqual(await restAsGraphQL(id));
    expect(data.media).toMatchObject({
      optimization: "PENDING",
      variants: [],
      blurhash: null,
      contentType: "image/png",
    });
  });

  it("an optimized file shows its blurhash and variants, small to large, and one variant by size", async () => {
    const id = await uploaded(key, undefined, Buffer.concat([png, Buffer.from("v")]));
    await markOptimized(gateway, [id]);
    const { data } = await graphql(
      gateway,
      key,
      `query($id: Int!) { media(id: $id) { ${MEDIA_FIELDS} variant(size: SIZE_512) { url variantSize width height } } }`,
      { id },
    );
    const { variant, ...media } = data.media;
    expect(media).toEqual(await restAsGraphQL(id));
    expect(media.variants.map((v: { variantSize: string }) => v.variantSize)).toEqual(["128", "512", "1024"]);
    expect(media).toMatchObject({ optimization: "SUCCESS", blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj" });
    expect(variant).toEqual({ url: media.variants[1].url, variantSize: "512", width: 512, height: 384 });
  });

  it("a missing file is null; an id that is not a positive integer is a VALIDATION_FAILED error", async () => {
    expect((await graphql(gateway, key, "{ media(id: 999999) { id } }")).data).toEqual({ media: null });
    const bad = await graphql(gateway, key, "{ media(id: 0) { id } }");
    expect(bad.data).toEqual({ media: null });
    expect(bad.errors?.[0]).toMatchObject({
      message: "id must be a positive integer",
      path: ["media"],
      extensions: { code: "VALIDATION_FAILED", problems: ["id must be a positive integer"] },
    });
  });
});

describe("mediaByExternalId", () => {
  it("finds a file by its external ID, case-sensitively", async () => {
    const id = await uploaded(key, "crm/42 фото#1?", Buffer.concat([png, Buffer.from("e")]));
    const query = "query($e: String!) { mediaByExternalId(externalId: $e) { databaseId externalId } }";
    expect((await graphql(gateway, key, query, { e: "crm/42 фото#1?" })).data).toEqual({
      mediaByExternalId: { databaseId: id, externalId: "crm/42 фото#1?" },
    });
    expect((await graphql(gateway, key, query, { e: "CRM/42 ФОТО#1?" })).data).toEqual({ mediaByExternalId: null });
  });

  it("an invalid external ID is a VALIDATION_FAILED error naming the problems", async () => {
    const response = await graphql(gateway, key, '{ mediaByExternalId(externalId: " padded ") { id } }');
    expect(response.errors?.[0].extensions).toEqual({
      code: "VALIDATION_FAILED",
      problems: ["externalId must not have leading or trailing spaces"],
    });
  });
});

describe("medias", () => {
  it("pages through every file, newest first, with REST's cursors", async () => {
    const { apiKey } = await gateway.createAgency("Pager");
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await uploaded(apiKey, undefined, Buffer.concat([png, Buffer.from([i])])));
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const { data, errors } = await graphql(
        gateway,
        apiKey,
        `query($after: String) { medias(first: 2, after: $after) {
           edges { cursor node { databaseId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        { after },
      );
      expect(errors).toBeUndefined();
      const { edges, pageInfo } = data.medias;
      const rest = await body(
        await gateway.request(`/api/v1/media?limit=2${after ? `&cursor=${after}` : ""}`, { apiKey }),
      );
      expect(edges.map((e: { node: { databaseId: number } }) => e.node.databaseId)).toEqual(
        rest.items.map((item: { id: number }) => item.id),
      );
      expect(pageInfo.hasNextPage ? pageInfo.endCursor : null).toBe(rest.nextCursor);
      expect(pageInfo.startCursor).toBe(edges[0].cursor);
      seen.push(...edges.map((e: { node: { databaseId: number } }) => e.node.databaseId));
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it("defaults to 20 a page and filters by optimization status", async () => {
    const { apiKey } = await gateway.createAgency("Filter");
    const [a, b] = [
      await uploaded(apiKey, undefined, Buffer.concat([png, Buffer.from("a")])),
      await uploaded(apiKey, undefined, Buffer.concat([png, Buffer.from("b")])),
    ];
    await markOptimized(gateway, [a as number]);
    const ids = async (filter: string) =>
      (await graphql(gateway, apiKey, `{ medias${filter} { edges { node { databaseId optimization } } } }`)).data.medias
        .edges;
    expect(await ids("")).toEqual([
      { node: { databaseId: b, optimization: "PENDING" } },
      { node: { databaseId: a, optimization: "SUCCESS" } },
    ]);
    expect(await ids("(optimization: SUCCESS)")).toEqual([{ node: { databaseId: a, optimization: "SUCCESS" } }]);
    expect(await ids("(optimization: FAILED)")).toEqual([]);
  });

  it("refuses a page size outside 1-100 and a bad cursor", async () => {
    const cases: [string, string][] = [
      ["first: 0", "first must be an integer from 1 to 100"],
      ["first: $first", "first must be an integer from 1 to 100"],
      ["first: 101", "first must be an integer from 1 to 100"],
      ['after: "garbage"', "cursor is invalid"],
    ];
    for (const [args, problem] of cases) {
      const operation = args.includes("$first") ? "query($first: Int)" : "query";
      const response = await graphql(gateway, key, `${operation} { medias(${args}) { edges { cursor } } }`, {
        ...(args.includes("$first") ? { first: 100_000 } : {}),
      });
      expect({ args, data: response.data }).toEqual({ args, data: null });
      expect(response.errors?.[0].extensions).toEqual({ code: "VALIDATION_FAILED", problems: [problem] });
    }
  });
});

describe("node and agency", () => {
  it("node resolves the global ids of files and of the caller's agency", async () => {
    const id = await uploaded(key, undefined, Buffer.concat([png, Buffer.from("n")]));
    const { data: media } = await graphql(gateway, key, `{ media(id: ${id}) { id } agency { id databaseId } }`);
    const query = `query($id: ID!) { node(id: $id) { __typename id ... on Media { databaseId } ... on Agency { name } } }`;
    expect((await graphql(gateway, key, query, { id: media.media.id })).data).toEqual({
      node: { __typename: "Media", id: media.media.id, databaseId: id },
    });
    expect((await graphql(gateway, key, query, { id: media.agency.id })).data).toEqual({
      node: { __typename: "Agency", id: media.agency.id, name: "Rentix" },
    });
    const missing = Buffer.from("Media:999999").toString("base64");
    expect((await graphql(gateway, key, query, { id: missing })).data).toEqual({ node: null });
  });

  it("agency answers the caller's agency, as GET /agency does", async () => {
    const rest = await body(await gateway.request("/api/v1/agency", { apiKey: key }));
    const { data } = await graphql(gateway, key, "{ agency { databaseId name status } }");
    expect(data.agency).toEqual({ databaseId: rest.id, name: rest.name, status: rest.status.toUpperCase() });
  });
});
