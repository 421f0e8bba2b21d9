import { type Gateway, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, expect, it } from "vitest";

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({ RATE_LIMIT_PER_MINUTE: "3" });
});
afterAll(() => gateway?.close());

function agencyQuery(apiKey: string) {
  return gateway.request("/graphql", {
    method: "POST",
    apiKey,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query: "{ agency { name } }" }),
  });
}

it("GraphQL counts against the agency's rate limit shared with REST, and answers 429 past it", async () => {
  const { apiKey } = await gateway.createAgency("Busy");
  expect((await gateway.request("/api/v1/agency", { apiKey })).headers.get("x-ratelimit-remaining")).toBe("2");
  const first = await agencyQuery(apiKey);
  expect(first.status).toBe(200);
  expect(first.headers.get("x-ratelimit-limit")).toBe("3");
  expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
  expect((await agencyQuery(apiKey)).headers.get("x-ratelimit-remaining")).toBe("0");

  const limited = await agencyQuery(apiKey);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(await limited.json()).toEqual({
    errors: [{ message: "Too Many Requests", extensions: { code: "TOO_MANY_REQUESTS" } }],
  });
  expect((await gateway.request("/api/v1/agency", { apiKey })).status).toBe(429);

  const { apiKey: other } = await gateway.createAgency("Quiet");
  expect((await agencyQuery(other)).status).toBe(200);
});
