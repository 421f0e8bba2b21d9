import { createHash } from "node:crypto";
import { body, type Gateway, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey, setAgencyStatus } from "../../src/auth/agencies.ts";
import { hashApiKey } from "../../src/auth/api-keys.ts";

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway?.close());

async function expectError(response: Response, status: number, message: string) {
  expect(response.status).toBe(status);
  expect(await body(response)).toMatchObject({ statusCode: status, message });
}

describe("authentication", () => {
  it("auth: no key answers 401 API key is required", async () => {
    await expectError(await gateway.request("/api/v1/agency"), 401, "API key is required");
  });

  it("auth: an unknown key answers 401 Invalid API key", async () => {
    await expectError(await gateway.request("/api/v1/agency", { apiKey: "drk_unknown" }), 401, "Invalid API key");
    await expectError(
      await gateway.request("/api/v1/agency", { headers: { Authorization: "ApiKey drk_unknown" } }),
      401,
      "Invalid API key",
    );
    await expectError(
      await gateway.request("/api/v1/agency", { headers: { Authorization: "Bearer something" } }),
      401,
      "Invalid API key",
    );
  });

  it("auth: both headers answer 400 Multiple authentication methods provided", async () => {
    const { apiKey } = await gateway.createAgency();
    const response = await gateway.request("/api/v1/agency", {
      headers: { Authorization: `ApiKey ${apiKey}`, "X-API-Key": apiKey },
    });
    await expectError(response, 400, "Multiple authentication methods provided");
    expect((await gateway.request("/api/v1/agency", { headers: { Authorization: `ApiKey ${apiKey}` } })).status).toBe(
      200,
    );
  });

  // A gateway trusts a key it has looked up for 5 s, but drops every cached key on the database's
  // `auth_changed` notification: the change is seen in well under a second, whoever makes it.
  const statusOf = async (apiKey: string) => (await gateway.request("/api/v1/agency", { apiKey })).status;
  const SOON = { timeout: 1_000, interval: 10 };

  it("auth: a key in use answers 401 Invalid API key as soon as its revocation commits", async () => {
    const { apiKey } = await gateway.createAgency();
    expect(await statusOf(apiKey)).toBe(200);
    expect(await statusOf(apiKey)).toBe(200); // served from the cache
    expect(await revokeApiKey(gateway.database.db, apiKey)).toBe(true);
    await expect.poll(() => statusOf(apiKey), SOON).toBe(401);
    await expectError(await gateway.request("/api/v1/agency", { apiKey }), 401, "Invalid API key");
  });

  it("auth: a revocation made with plain SQL by an operator is seen as soon", async () => {
    const { apiKey } = await gateway.createAgency();
    expect(await statusOf(apiKey)).toBe(200);
    await gateway.database.sql`update api_keys set revoked_at = now() where key_hash = ${hashApiKey(apiKey)}`;
    await expect.poll(() => statusOf(apiKey), SOON).toBe(401);
  });

  it("auth: a suspended agency answers 403 Agency is suspended, and works again once activated", async () => {
    const { agencyId, apiKey } = await gateway.createAgency();
    expect(await statusOf(apiKey)).toBe(200);
    await setAgencyStatus(gateway.database.db, agencyId, "suspended");
    await expect.poll(() => statusOf(apiKey), SOON).toBe(403);
    await expectError(await gateway.request("/api/v1/media/1", { apiKey }), 403, "Agency is suspended");
    await setAgencyStatus(gateway.database.db, agencyId, "active");
    await expect.poll(() => statusOf(apiKey), SOON).toBe(200);
  });

  it("auth: errors carry the reason phrase and a machine-readable code", async () => {
    const response = await gateway.request("/api/v1/media");
    expect(await body(response)).toEqual({
      statusCode: 401,
      message: "API key is required",
      error: "Unauthorized",
      code: "API_KEY_REQUIRED",
    });
  });

  it("keys are stored only as a hash", async () => {
    const { apiKey } = await gateway.createAgency();
    const rows = await gateway.database.sql`select key_hash from api_keys`;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.key_hash).not.toContain(apiKey.slice(4));
  });

  it("the stored hash is the key's SHA-256 in hex (keys made by any release keep working)", () => {
    const key = "drk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
    expect(hashApiKey(key)).toBe(createHash("sha256").update(key, "utf8").digest("hex"));
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("GET /agency", () => {
  it("answers the caller's agency", async () => {
    const { agencyId, apiKey } = await gateway.createAgency("Rentix Chisinau");
    const response = await gateway.request("/api/v1/agency", { headers: { Authorization: `ApiKey ${apiKey}` } });
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({ id: agencyId, name: "Rentix Chisinau", status: "active" });
  });
});

describe("GET /healthz", () => {
  it("answers 200 ok without a key while the database answers", async () => {
    const response = await gateway.request("/healthz");
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({ status: "ok" });
  });
});

describe("unknown routes", () => {
  it("answer 404 with the error body", async () => {
    const response = await gateway.request("/api/v1/nothing-here");
    expect(response.status).toBe(404);
    expect(await body(response)).toMatchObject({ statusCode: 404, error: "Not Found" });
  });
});
