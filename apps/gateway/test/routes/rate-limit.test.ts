import { body, type Gateway, json, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({ RATE_LIMIT_PER_MINUTE: "5" });
});
afterAll(() => gateway?.close());

describe("rate limiting", () => {
  it("counts requests per agency, with the headers on every response, and answers 429 past the limit", async () => {
    const { apiKey } = await gateway.createAgency("Busy");
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await gateway.request(i % 2 ? "/api/v1/media/999999" : "/api/v1/agency", { apiKey });
      expect(response.headers.get("x-ratelimit-limit")).toBe("5");
      remaining.push(response.headers.get("x-ratelimit-remaining") ?? "");
      const reset = Number(response.headers.get("x-ratelimit-reset"));
      expect(reset).toBeGreaterThan(Date.now() / 1000);
      expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    const limited = await gateway.request("/api/v1/agency", { apiKey });
    expect(limited.status).toBe(429);
    expect(await body(limited)).toMatchObject({
      statusCode: 429,
      message: "Too Many Requests",
      error: "Too Many Requests",
    });
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // another agency has its own budget
    const other = await gateway.createAgency("Calm");
    expect((await gateway.request("/api/v1/agency", { apiKey: other.apiKey })).status).toBe(200);
  });

  it("bulk operations have their own budget of 30 a minute", async () => {
    const { apiKey } = await gateway.createAgency("Bulky");
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const response = await gateway.request("/api/v1/media/bulk", {
        method: "POST",
        ...json({ operations: [{ op: "delete", id: 999999 }] }),
        apiKey,
      });
      statuses.push(response.status);
      if (i === 0) expect(response.headers.get("x-ratelimit-limit")).toBe("30");
    }
    expect(statuses.slice(0, 30).every((status) => status === 422)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});
