import { type Gateway, photo, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey, setAgencyStatus } from "../../src/auth/agencies.ts";
import { graphql, graphqlUpload } from "./client.ts";

let gateway: Gateway;
let key: string;
let agencyId: number;

beforeAll(async () => {
  gateway = await startGateway();
  ({ apiKey: key, agencyId } = await gateway.createAgency("Rentix"));
});
afterAll(() => gateway?.close());

const AGENCY = "{ agency { databaseId name status } }";

describe("authentication", () => {
  it("the REST key works in X-API-Key and in Authorization: ApiKey", async () => {
    const viaHeader = await graphql(gateway, key, AGENCY);
    expect(viaHeader).toMatchObject({ status: 200, data: { agency: { databaseId: agencyId, name: "Rentix" } } });
    const viaAuthorization = await graphql(gateway, undefined, AGENCY, {}, { Authorization: `ApiKey ${key}` });
    expect(viaAuthorization.data).toEqual({ agency: { databaseId: agencyId, name: "Rentix", status: "ACTIVE" } });
  });

  it("failures answer REST's status with extensions.code and REST's message, and no data", async () => {
    const cases: [Record<string, string>, number, string, string][] = [
      [{}, 401, "API_KEY_REQUIRED", "API key is required"],
      [{ "X-API-Key": "drk_not-a-key" }, 401, "INVALID_API_KEY", "Invalid API key"],
      [{ Authorization: "Bearer x" }, 401, "INVALID_API_KEY", "Invalid API key"],
      [
        { "X-API-Key": key, Authorization: `ApiKey ${key}` },
        400,
        "MULTIPLE_AUTH_METHODS",
        "Multiple authentication methods provided",
      ],
    ];
    for (const [headers, status, code, message] of cases) {
      const response = await graphql(gateway, undefined, AGENCY, {}, headers);
      expect({ headers, status: response.status }).toEqual({ headers, status });
      expect(response.data).toBeUndefined();
      expect(response.errors).toEqual([{ message, extensions: { code } }]);
    }
  });

  it("a revoked key answers 401 at once", async () => {
    const other = await gateway.createAgency("Revoked");
    await revokeApiKey(gateway.database.db, other.apiKey);
    const response = await graphql(gateway, other.apiKey, AGENCY);
    expect(response.status).toBe(401);
    expect(response.errors?.[0].extensions).toEqual({ code: "INVALID_API_KEY" });
  });

  it("a suspended agency answers 403 AGENCY_SUSPENDED", async () => {
    const suspended = await gateway.createAgency("Suspended");
    await setAgencyStatus(gateway.database.db, suspended.agencyId, "suspended");
    const response = await graphql(gateway, suspended.apiKey, AGENCY);
    expect(response.status).toBe(403);
    expect(response.errors).toEqual([{ message: "Agency is suspended", extensions: { code: "AGENCY_SUSPENDED" } }]);
  });

  it("an upload without a key answers 401 and stores nothing", async () => {
    const response = await graphqlUpload(gateway, "", await photo("goldfish.png"));
    expect(response.status).toBe(401);
    expect(response.errors?.[0].extensions.code).toBe("API_KEY_REQUIRED");
    expect(await gateway.database.sql`select id from media`).toHaveLength(0);
  });
});

describe("the endpoint", () => {
  it("GraphiQL loads in a browser without a key", async () => {
    const response = await gateway.request("/graphql", { headers: { Accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("<title>Darkroom GraphQL</title>");
  });

  it("requests a browser may send cross-site without a preflight need the CSRF header", async () => {
    const query = encodeURIComponent("{ agency { name } }");
    const bare = await gateway.request(`/graphql?query=${query}`, { apiKey: key });
    expect(bare.status).toBe(403);
    expect((await bare.json()).errors[0].message).toBe("Required CSRF header(s) not present");
    const withHeader = await gateway.request(`/graphql?query=${query}`, {
      apiKey: key,
      headers: { "x-graphql-yoga-csrf": "1" },
    });
    expect(withHeader.status).toBe(200);
    expect(await withHeader.json()).toEqual({ data: { agency: { name: "Rentix" } } });

    const upload = await graphqlUpload(gateway, key, await photo("goldfish.png"), { csrf: false });
    expect(upload.status).toBe(403);
    expect(await gateway.database.sql`select id from media`).toHaveLength(0);
  });

  it("Apollo-Require-Preflight, as Apollo Client and apollo-upload-client send it, is accepted as the CSRF header", async () => {
    const query = encodeURIComponent("{ agency { name } }");
    const get = await gateway.request(`/graphql?query=${query}`, {
      apiKey: key,
      headers: { "Apollo-Require-Preflight": "true" },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { agency: { name: "Rentix" } } });

    const upload = await graphqlUpload(gateway, key, await photo("goldfish.png"), {
      csrfHeader: "Apollo-Require-Preflight",
    });
    expect(upload.status).toBe(200);
    expect(upload.errors).toBeUndefined();
    const rows = await gateway.database.sql<{ id: number }[]>`select id from media`;
    expect(rows).toHaveLength(1);
  });

  it("a JSON body over 512 KB answers 413 in GraphQL's shape", async () => {
    const response = await graphql(gateway, key, `{ agency { name } } # ${"x".repeat(600 * 1024)}`);
    expect(response.status).toBe(413);
    expect(response.errors).toEqual([
      { message: "Request body too large", extensions: { code: "REQUEST_BODY_TOO_LARGE" } },
    ]);
  });

  it("a body that is not JSON answers 400 in GraphQL's shape", async () => {
    const response = await gateway.request("/graphql", {
      method: "POST",
      apiKey: key,
      headers: { "Content-Type": "application/json" },
      body: "{ not json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: "body is not valid JSON", extensions: { code: "VALIDATION_FAILED" } }],
    });
  });

  it("lives at /graphql, outside /api/v1", async () => {
    expect((await gateway.request("/api/v1/graphql", { method: "POST", apiKey: key })).status).toBe(404);
  });
});
