import { type Gateway, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAPHQL_LIMITS } from "../../src/graphql/yoga.ts";
import { graphql, MEDIA_FIELDS } from "./client.ts";

let gateway: Gateway;
let key: string;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Rentix")).apiKey;
});
afterAll(() => gateway?.close());

describe("limits", () => {
  it(`an operation deeper than ${GRAPHQL_LIMITS.maxDepth} levels is refused`, async () => {
    let selection = "id";
    for (let i = 0; i < GRAPHQL_LIMITS.maxDepth; i++) selection = `node(id: "x") { ... on Media { ${selection} } }`;
    const response = await graphql(gateway, key, `{ ${selection} }`);
    expect(response.data).toBeUndefined();
    expect(response.errors?.map((e) => e.message)).toContainEqual(expect.stringMatching(/depth limit of 10 exceeded/));
  });

  it("an operation over the cost limit is refused; a full page of 100 files is within it", async () => {
    const page = `medias(first: 100) { edges { cursor node { ${MEDIA_FIELDS} } } pageInfo { hasNextPage endCursor } }`;
    expect((await graphql(gateway, key, `{ ${page} }`)).errors).toBeUndefined();
    const response = await graphql(gateway, key, `{ a: ${page} b: ${page} c: ${page} }`);
    expect(response.data).toBeUndefined();
    expect(response.errors?.[0].message).toMatch(/Query Cost limit of 20000 exceeded/);
  });

  it(`more than ${GRAPHQL_LIMITS.maxAliases} aliases are refused (a variable page size escapes the cost)`, async () => {
    const fields = Array.from(
      { length: GRAPHQL_LIMITS.maxAliases + 1 },
      (_, i) => `a${i}: medias(first: $n) { edges { cursor } }`,
    );
    const response = await graphql(gateway, key, `query($n: Int) { ${fields.join(" ")} }`, { n: 100 });
    expect(response.data).toBeUndefined();
    expect(response.errors?.[0].message).toMatch(/Aliases limit of 20 exceeded/);
  });

  it("introspection is allowed (GraphiQL's introspection query is deeper than the limit)", async () => {
    const ofType = (depth: number): string => (depth === 0 ? "name" : `name kind ofType { ${ofType(depth - 1)} }`);
    const response = await graphql(
      gateway,
      key,
      `{ __schema { queryType { name } types { name fields { name type { ${ofType(8)} } } } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.__schema.queryType).toEqual({ name: "Query" });
  });
});
