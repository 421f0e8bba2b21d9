import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let gateway: Gateway;
let ownerKey: string;
let strangerKey: string;
let fileId: number;

beforeAll(async () => {
  gateway = await startGateway();
  ownerKey = (await gateway.createAgency("Owner")).apiKey;
  strangerKey = (await gateway.createAgency("Stranger")).apiKey;
  const created = await upload(gateway, ownerKey, await photo("Picture_1A_by_freespace.jpg"), "owner-only-1");
  fileId = (await body(created)).id;
});
afterAll(() => gateway?.close());

describe("tenancy", () => {
  it("the same external ID works in two agencies", async () => {
    const png = await photo("goldfish.png");
    const mine = await upload(gateway, ownerKey, png, "apt-shared-1");
    const theirs = await upload(gateway, strangerKey, png, "apt-shared-1");
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    const [a, b] = [await body(mine), await body(theirs)];
    expect(a.id).not.toBe(b.id);
    const read = await gateway.request("/api/v1/media/external/apt-shared-1", { apiKey: strangerKey });
    expect((await body(read)).id).toBe(b.id);
  });

  it("another agency's file answers 404 File not found on every route, and is left untouched", async () => {
    const routes: [string, string, RequestInit?][] = [
      ["GET", `/api/v1/media/${fileId}`],
      ["GET", "/api/v1/media/external/owner-only-1"],
      ["POST", `/api/v1/media/${fileId}/link`, json({ externalId: "stolen" })],
      ["DELETE", `/api/v1/media/${fileId}/link`],
      ["POST", `/api/v1/media/${fileId}/reoptimize`],
      ["DELETE", "/api/v1/media/external/owner-only-1"],
      ["DELETE", `/api/v1/media/${fileId}`],
    ];
    for (const [method, route, init] of routes) {
      const response = await gateway.request(route, { method, ...init, apiKey: strangerKey });
      expect({ route: `${method} ${route}`, status: response.status }).toEqual({
        route: `${method} ${route}`,
        status: 404,
      });
      expect(await body(response)).toMatchObject({ statusCode: 404, message: "File not found", error: "Not Found" });
    }
    const still = await gateway.request(`/api/v1/media/${fileId}`, { apiKey: ownerKey });
    expect(await body(still)).toMatchObject({ id: fileId, externalId: "owner-only-1", optimization: "pending" });
  });

  it("another agency's files never appear in a list", async () => {
    const listed = await body(await gateway.request("/api/v1/media?limit=100", { apiKey: strangerKey }));
    expect(listed.items.map((item: { id: number }) => item.id)).not.toContain(fileId);
  });

  it("linking an external ID held in another agency is allowed", async () => {
    const own = await body(await upload(gateway, strangerKey, await photo("goldfish.png")));
    const response = await gateway.request(`/api/v1/media/${own.id}/link`, {
      method: "POST",
      ...json({ externalId: "owner-only-1" }),
      apiKey: strangerKey,
    });
    expect(response.status).toBe(200);
  });
});
