import { type Gateway, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway?.close());

describe("observability", () => {
  it("every response carries a request id, the caller's when it is sane", async () => {
    const generated = await gateway.request("/healthz");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const given = await gateway.request("/healthz", { headers: { "X-Request-Id": "crm-trace-0001" } });
    expect(given.headers.get("x-request-id")).toBe("crm-trace-0001");
    const unsafe = await gateway.request("/healthz", { headers: { "X-Request-Id": "bad id\twith tab" } });
    expect(unsafe.headers.get("x-request-id")).not.toContain("bad");
  });

  it("GET /metrics serves Prometheus text with HTTP latency by route and the queue depth by task", async () => {
    const { apiKey } = await gateway.createAgency();
    const created = await upload(gateway, apiKey, await photo("goldfish.png"));
    expect(created.status).toBe(201);
    await gateway.request("/api/v1/media/123456", { apiKey });
    const response = await gateway.request("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(
      /darkroom_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/media",status="201"\} 1/,
    );
    expect(text).toMatch(
      /darkroom_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/media\/:id",status="404"\} 1/,
    );
    expect(text).toMatch(/darkroom_job_queue_depth\{task="optimize_media"\} 1/);
    expect(text).not.toContain("123456");
  });
});
