/**
 * A query's document runs on graphql-js the first time and compiled by graphql-jit after
 * (src/graphql/compiled-queries.ts). A client must not be able to tell: each operation, valid or
 * not, answers the same status, headers and body every time.
 */

import { type Gateway, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const SHOWN_HEADERS = ["content-type", "access-control-allow-origin", "access-control-allow-credentials", "vary"];

async function answer(
  query: string,
  variables: Record<string, unknown> | undefined,
  headers: Record<string, string>,
  operationName?: string,
) {
  const response = await gateway.request("/graphql", {
    method: "POST",
    apiKey: key,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries(SHOWN_HEADERS.map((name) => [name, response.headers.get(name)])),
    body: text === "" ? null : JSON.parse(text),
  };
}

describe("compiled queries", () => {
  const ID = { id: -1 }; // replaced by the file's id
  const operations: [string, string, Record<string, unknown> | undefined, string?][] = [
    ["a file with its variants", `query($id: Int!) { media(id: $id) { ${MEDIA_FIELDS} listings { databaseId } } }`, ID],
    [
      "a page",
      `{ medias(first: 3, optimization: SUCCESS) { edges { cursor node { ${MEDIA_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      undefined,
    ],
    [
      "a node",
      `query($id: ID!) { node(id: $id) { id __typename ... on Media { databaseId variant(size: SIZE_512) { url width } } } }`,
      { id: "node" },
    ],
    [
      "the agency and listings",
      "{ agency { databaseId name status } listings(first: 2) { edges { node { databaseId } } } }",
      undefined,
    ],
    [
      "aliases, one missing",
      "query($id: Int!) { a: media(id: $id) { databaseId } b: media(id: 2000000000) { databaseId } }",
      ID,
    ],
    ["a file that is not there", "{ media(id: 2000000000) { databaseId } }", undefined],
    ["the operation named", "query A { agency { name } }", undefined, "A"],
    ["an operation name that is not there", "query A { agency { name } }", undefined, "B"],
    ["one operation of two, by name", "query A { agency { name } } query B { __typename }", undefined, "A"],
    ["the other one of the two", "query A { agency { name } } query B { __typename }", undefined, "B"],
    ["two operations, no name", "query A { agency { name } } query B { __typename }", undefined],
    ["an unknown field", "{ media(id: 1) { nope } }", undefined],
    ["a syntax error", "{ media(id: ", undefined],
    ["a variable of the wrong type", "query($id: Int!) { media(id: $id) { databaseId } }", { id: "x" }],
    ["a variable out of Int's range", "query($id: Int!) { media(id: $id) { databaseId } }", { id: 2 ** 31 }],
    ["a missing variable", "query($id: Int!) { media(id: $id) { databaseId } }", {}],
    ["an id out of range (a domain error)", "{ media(id: 0) { databaseId } }", undefined],
    ["an invalid external ID", "query($e: String!) { mediaByExternalId(externalId: $e) { databaseId } }", { e: " a " }],
    [
      "an operation over the depth limit",
      `{ ${'node(id: "x") { ... on Media { '.repeat(11)}id${" } }".repeat(11)} }`,
      undefined,
    ],
  ];

  it("answers every query, valid or not, the same the first time and every time after", async () => {
    const nodeId = Buffer.from(`Media:${mediaId}`).toString("base64");
    const accepts = [{}, { Accept: "application/graphql-response+json" }, { Origin: "https://crm.example" }];
    for (const headers of accepts as Record<string, string>[]) {
      for (const [name, query, variables, operationName] of operations) {
        const vars = variables === ID ? { id: mediaId } : variables?.id === "node" ? { id: nodeId } : variables;
        // A new document for each header set (Yoga keeps documents by their text), so each is first run here.
        const source = `${query} # ${JSON.stringify(headers)}`;
        const first = await answer(source, vars, headers, operationName);
        for (let run = 1; run <= 3; run++) {
          const again = await answer(source, vars, headers, operationName);
          expect({ name, sent: headers, run, ...again }).toEqual({ name, sent: headers, run, ...first });
        }
      }
    }
  });

  it("answers a valid query with its data, compiled or not", async () => {
    const query = `query($id: Int!) { media(id: $id) { databaseId externalId } }`;
    for (let run = 0; run < 3; run++) {
      expect(await answer(query, { id: mediaId }, {})).toMatchObject({
        status: 200,
        body: { data: { media: { databaseId: mediaId, externalId: "front" } } },
      });
    }
  });
});

describe("streamed answers", () => {
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
