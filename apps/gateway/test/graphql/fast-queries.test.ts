/**
 * Plain JSON queries take a fast path past Yoga's fetch layer (src/graphql/fast-queries.ts). A
 * client must not be able to tell: every answer here is compared with Yoga's own for the same
 * operation sent as a GET, which always goes through Yoga.
 */

import { type Gateway, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { regularMediaType } from "../../src/graphql/fast-queries.ts";
import { CSRF_HEADER } from "../../src/graphql/yoga.ts";
import { MEDIA_FIELDS, markOptimized } from "./client.ts";

let gateway: Gateway;
let key: string;
let mediaId: number;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Rentix")).apiKey;
  mediaId = ((await (await upload(gateway, key, await photo("goldfish.png"), "front")).json()) as { id: number }).id;
  await markOptimized(gateway, [mediaId]);
});
afterAll(() => gateway?.close());

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
}

const SHOWN_HEADERS = [
  "content-type",
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "vary",
  "x-ratelimit-limit",
];

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries(SHOWN_HEADERS.map((name) => [name, response.headers.get(name)])),
    body: text === "" ? null : JSON.parse(text),
  };
}

/** The same operation as a JSON POST (the fast path's) and as a GET (always Yoga's). */
async function bothWays(
  query: string,
  variables: Record<string, unknown> | undefined,
  headers: Record<string, string>,
  operationName?: string,
) {
  const post = await gateway.request("/graphql", {
    method: "POST",
    apiKey: key,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const search = new URLSearchParams({
    query,
    ...(variables ? { variables: JSON.stringify(variables) } : {}),
    ...(operationName ? { operationName } : {}),
  });
  const get = await gateway.request(`/graphql?${search}`, { apiKey: key, headers: { [CSRF_HEADER]: "1", ...headers } });
  return { post: await answerOf(post), get: await answerOf(get) };
}

describe("the fast path for JSON queries", () => {
  const ID = { id: -1 }; // replaced by the file's id
  const operations: [string, string, Record<string, unknown> | undefined, string?][] = [
    ["a file with its variants", `query($id: Int!) { media(id: $id) { ${MEDIA_FIELDS} } }`, ID],
    ["a page", "{ medias(first: 5) { edges { cursor node { databaseId externalId } } } }", undefined],
    ["a file that is not there", "{ media(id: 2000000000) { databaseId } }", undefined],
    ["one operation of two, by name", "query A { agency { name } } query B { __typename }", undefined, "A"],
    ["two operations, no name", "query A { agency { name } } query B { __typename }", undefined],
    ["an unknown field", "{ media(id: 1) { nope } }", undefined],
    ["a syntax error", "{ media(id: ", undefined],
    ["a variable of the wrong type", "query($id: Int!) { media(id: $id) { databaseId } }", { id: "x" }],
    ["a missing variable", "query($id: Int!) { media(id: $id) { databaseId } }", {}],
    ["an id out of range", "{ media(id: 0) { databaseId } }", undefined],
    [
      "an operation over the depth limit",
      `{ ${'node(id: "x") { ... on Media { '.repeat(11)}id${" } }".repeat(11)} }`,
      undefined,
    ],
  ];

  it("answers every query, valid or not, exactly as Yoga does", async () => {
    // Each error has its own status when the client takes application/graphql-response+json. The
    // second round runs the valid queries again, compiled.
    for (const headers of [{}, { Accept: "application/graphql-response+json" }] as Record<string, string>[]) {
      for (const [name, query, variables, operationName] of operations) {
        const vars = variables === ID ? { id: mediaId } : variables;
        const { post, get } = await bothWays(query, vars, headers, operationName);
        expect({ name, ...post }).toEqual({ name, ...get });
      }
    }
    // Documents never seen before, POSTed first (the fast path must not leave Yoga's caches without
    // the statuses Yoga gives these errors).
    const statusOf = async (query: string) =>
      (
        await gateway.request("/graphql", {
          method: "POST",
          apiKey: key,
          headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json" },
          body: JSON.stringify({ query }),
        })
      ).status;
    expect(await statusOf("{ agency { name } } }")).toBe(400);
    expect(await statusOf("{ agency { nameless } }")).toBe(400);
    const { post } = await bothWays(
      `query($id: Int!) { media(id: $id) { databaseId externalId } }`,
      { id: mediaId },
      {},
    );
    expect(post).toMatchObject({
      status: 200,
      body: { data: { media: { databaseId: mediaId, externalId: "front" } } },
    });
  });

  it("answers each Accept header, and a browser's Origin, as Yoga does", async () => {
    const accepts = [
      "*/*",
      "application/json",
      "application/graphql-response+json",
      "application/graphql-response+json, application/json;q=0.9",
      "application/json, application/graphql-response+json",
      "application/*",
      "text/plain, application/graphql-response+json",
      "application/json; charset=latin1",
    ];
    const query = "{ agency { name } }";
    for (const accept of accepts) {
      const { post, get } = await bothWays(query, undefined, { Accept: accept });
      expect({ accept, ...post }).toEqual({ accept, ...get });
    }
    const origin = await bothWays(query, undefined, { Origin: "https://crm.example" });
    expect(origin.post).toEqual(origin.get);
    expect(origin.post.headers).toMatchObject({
      "access-control-allow-origin": "https://crm.example",
      "access-control-allow-credentials": "true",
      vary: "Origin",
    });
  });

  it("answers the same the first time (graphql-js) and every time after (compiled by graphql-jit)", async () => {
    const nodeId = Buffer.from(`Media:${mediaId}`).toString("base64");
    const queries: [string, Record<string, unknown> | undefined][] = [
      [`query($id: Int!) { media(id: $id) { ${MEDIA_FIELDS} listings { databaseId } } }`, { id: mediaId }],
      [
        `{ medias(first: 3, optimization: SUCCESS) { edges { cursor node { ${MEDIA_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
        undefined,
      ],
      [
        `query($id: ID!) { node(id: $id) { id __typename ... on Media { databaseId variant(size: SIZE_512) { url width } } } }`,
        { id: nodeId },
      ],
      ["{ agency { databaseId name status } listings(first: 2) { edges { node { databaseId } } } }", undefined],
      [
        "query($id: Int!) { a: media(id: $id) { databaseId } b: media(id: 2000000000) { databaseId } }",
        { id: mediaId },
      ],
    ];
    for (const [query, variables] of queries) {
      const { get } = await bothWays(query, variables, {});
      expect(get.status).toBe(200);
      for (let run = 0; run < 3; run++) {
        const { post } = await bothWays(query, variables, {});
        expect({ query, run, ...post }).toEqual({ query, run, ...get });
      }
    }
  });

  it("reads Accept as Yoga does", () => {
    expect(regularMediaType(undefined)).toBe("application/json");
    expect(regularMediaType("*/*")).toBe("application/json");
    expect(regularMediaType("application/graphql-response+json, application/json")).toBe(
      "application/graphql-response+json",
    );
    expect(regularMediaType("application/json;q=0.1, application/graphql-response+json")).toBe("application/json");
    expect(regularMediaType("text/event-stream")).toBeUndefined();
    expect(regularMediaType("application/json; charset=latin1")).toBeUndefined();
  });

  it("counts a query once against the rate limit, answered fast or by Yoga", async () => {
    const remaining = async (query: string) => {
      const response = await gateway.request("/graphql", {
        method: "POST",
        apiKey: key,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ query }),
      });
      return Number(response.headers.get("x-ratelimit-remaining"));
    };
    const before = await remaining("{ __typename }");
    expect(await remaining("{ agency { name } }")).toBe(before - 1);
    expect(await remaining("{ nope }")).toBe(before - 2); // invalid: left to Yoga
    expect(await remaining("{ media(id: 0) { databaseId } }")).toBe(before - 3); // an error in the result
  });
});

describe("answers Yoga streams", () => {
  it("a query asked for as multipart/mixed is a well-formed multipart answer", async () => {
    const response = await gateway.request("/graphql", {
      method: "POST",
      apiKey: key,
      headers: { "Content-Type": "application/json", Accept: "multipart/mixed" },
      body: JSON.stringify({ query: "{ agency { name } }" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^multipart\/mixed/);
    const text = await response.text();
    expect(text).toContain('{"data":{"agency":{"name":"Rentix"}}}');
  });
});
