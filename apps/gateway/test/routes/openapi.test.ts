import { body, type Gateway, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "../../src/http/openapi.ts";

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway?.close());

describe("GET /api/openapi.json", () => {
  it("documents every registered route (OPTIONS aside), without a key", async () => {
    const response = await gateway.request("/api/openapi.json");
    expect(response.status).toBe(200);
    const document = await body(response);
    expect(document.openapi).toBe("3.1.0");
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const registered = gateway.app.registeredRoutes
      .filter((route) => !route.startsWith("OPTIONS "))
      .map((route) => {
        const [method, url] = route.split(" ") as [string, string];
        return `${method} ${openApiPath(url)}`;
      });
    expect([...new Set(documented)].sort()).toEqual([...new Set(registered)].sort());
  });

  it("generates request schemas from the validating zod schemas", async () => {
    const document = await body(await gateway.request("/api/openapi.json"));
    const link = document.paths["/api/v1/media/{id}/link"].post;
    expect(link.parameters).toContainEqual({
      name: "id",
      in: "path",
      required: true,
      schema: { type: "integer", minimum: 1, maximum: 2147483647 },
    });
    expect(link.requestBody.content["application/json"].schema).toMatchObject({
      type: "object",
      properties: { externalId: { type: "string", minLength: 1, maxLength: 255 } },
    });
    const list = document.paths["/api/v1/media"].get;
    expect(list.parameters).toContainEqual(
      expect.objectContaining({
        name: "optimization",
        in: "query",
        schema: expect.objectContaining({ enum: ["pending", "in_progress", "success", "failed"] }),
      }),
    );
    expect(document.paths["/api/v1/media"].post.requestBody.content).toHaveProperty("multipart/form-data");
    expect(document.paths["/healthz"].get.security).toEqual([]);
    expect(document.components.securitySchemes.apiKeyHeader).toEqual({
      type: "apiKey",
      in: "header",
      name: "X-API-Key",
    });
  });

  it("GET /api/docs serves a page that renders it", async () => {
    const response = await gateway.request("/api/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain('fetch("/api/openapi.json")');
  });
});
