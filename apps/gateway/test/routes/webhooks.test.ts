import { body, distinctCopy, type Gateway, json, photo, startGateway, uploadedId } from "@darkroom/testing/gateway";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markOptimized } from "../graphql/client.ts";

let gateway: Gateway;
let key: string;
let agencyId: number;
let other: string;

beforeAll(async () => {
  gateway = await startGateway({ OUTBOUND_ALLOW_HOSTS: "allowed.internal,127.0.0.2" });
  ({ apiKey: key, agencyId } = await gateway.createAgency("Hooks"));
  other = (await gateway.createAgency("Other")).apiKey;
});
afterAll(() => gateway?.close());

const PUBLIC_URL = "https://93.184.216.34/darkroom";

function create(payload: unknown, apiKey = key) {
  return gateway.request("/api/v1/webhooks", { method: "POST", ...json(payload), apiKey });
}

describe("POST /webhooks", () => {
  it("answers 201 {id, url, events, secret}; the secret is a Standard Webhooks secret", async () => {
    const response = await create({ url: PUBLIC_URL, events: ["media.optimized", "media.failed"] });
    expect(response.status).toBe(201);
    const created = await body(response);
    expect(created).toEqual({
      id: expect.any(Number),
      url: PUBLIC_URL,
      events: ["media.optimized", "media.failed"],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(() => new Webhook(created.secret)).not.toThrow();
    const [row] = await gateway.database.sql<{ agency_id: number; secret: string }[]>`
      select agency_id, secret from webhooks where id = ${created.id}`;
    expect(row).toEqual({ agency_id: agencyId, secret: created.secret });
  });

  it.each([
    ["no events", { url: PUBLIC_URL, events: [] }, /^events must be a non-empty array/],
    ["an unknown event", { url: PUBLIC_URL, events: ["media.created"] }, /^events must be a non-empty array/],
    ["no url", { events: ["media.deleted"] }, /^url must be a string$/],
    ["a non-http url", { url: "ftp://example.com/x", events: ["media.deleted"] }, /^url must use http or https$/],
    ["a body that is an array", [], /^body must be a JSON object$/],
  ])("refuses %s with 400", async (_name, payload, message) => {
    const response = await create(payload);
    expect(response.status).toBe(400);
    const answer = await body(response);
    expect(answer).toMatchObject({ statusCode: 400, error: "Bad Request", code: "VALIDATION_FAILED" });
    expect(answer.message).toContainEqual(expect.stringMatching(message));
  });

  it.each([
    "http://127.0.0.1/hook",
    "http://localhost/hook",
    "http://10.0.0.5/hook",
    "http://169.254.169.254/latest",
    "http://[::1]/hook",
  ])("refuses the private address %s", async (url) => {
    const response = await create({ url, events: ["media.deleted"] });
    expect(response.status).toBe(400);
    expect((await body(response)).message).toEqual(["url must not point to a private, loopback or link-local address"]);
  });

  it("accepts a private address allowed through OUTBOUND_ALLOW_HOSTS", async () => {
    const response = await create({ url: "http://127.0.0.2:9/hook", events: ["media.deleted"] });
    expect(response.status).toBe(201);
  });

  it("needs a JSON body and an API key", async () => {
    const text = await gateway.request("/api/v1/webhooks", {
      method: "POST",
      body: "url=x",
      headers: { "Content-Type": "text/plain" },
      apiKey: key,
    });
    expect(text.status).toBe(415);
    const anonymous = await gateway.request("/api/v1/webhooks", { method: "POST", ...json({}) });
    expect(anonymous.status).toBe(401);
  });

  it("allows at most 10 webhooks per agency", async () => {
    const { apiKey } = await gateway.createAgency("Many");
    for (let i = 0; i < 10; i++) {
      expect((await create({ url: `${PUBLIC_URL}/${i}`, events: ["media.deleted"] }, apiKey)).status).toBe(201);
    }
    const eleventh = await create({ url: `${PUBLIC_URL}/10`, events: ["media.deleted"] }, apiKey);
    expect(eleventh.status).toBe(400);
    expect((await body(eleventh)).message).toEqual(["an agency may have at most 10 webhooks"]);
  });
});

describe("GET /webhooks and DELETE /webhooks/:id", () => {
  it("lists the agency's webhooks without secrets, and deletes one", async () => {
    const { apiKey } = await gateway.createAgency("Lister");
    const first = await body(await create({ url: `${PUBLIC_URL}/a`, events: ["media.deleted"] }, apiKey));
    const second = await body(await create({ url: `${PUBLIC_URL}/b`, events: ["listing.published"] }, apiKey));
    const list = await body(await gateway.request("/api/v1/webhooks", { apiKey }));
    expect(list).toEqual({
      items: [
        { id: first.id, url: `${PUBLIC_URL}/a`, events: ["media.deleted"], createdAt: expect.any(String) },
        { id: second.id, url: `${PUBLIC_URL}/b`, events: ["listing.published"], createdAt: expect.any(String) },
      ],
    });
    expect(JSON.stringify(list)).not.toContain("whsec_");

    const deleted = await gateway.request(`/api/v1/webhooks/${first.id}`, { method: "DELETE", apiKey });
    expect(deleted.status).toBe(200);
    expect(await body(deleted)).toEqual({ deleted: true });
    expect((await body(await gateway.request("/api/v1/webhooks", { apiKey }))).items).toEqual([
      expect.objectContaining({ id: second.id }),
    ]);
    const again = await gateway.request(`/api/v1/webhooks/${first.id}`, { method: "DELETE", apiKey });
    expect(again.status).toBe(404);
    expect(await body(again)).toMatchObject({ message: "Webhook not found", code: "WEBHOOK_NOT_FOUND" });
  });

  it("another agency's webhook is not listed and answers 404 Webhook not found", async () => {
    const mine = await body(await create({ url: `${PUBLIC_URL}/mine`, events: ["media.deleted"] }));
    const list = await body(await gateway.request("/api/v1/webhooks", { apiKey: other }));
    expect(list.items.map((item: { id: number }) => item.id)).not.toContain(mine.id);
    const response = await gateway.request(`/api/v1/webhooks/${mine.id}`, { method: "DELETE", apiKey: other });
    expect(response.status).toBe(404);
    expect((await body(response)).message).toBe("Webhook not found");
    const [row] = await gateway.database.sql`select id from webhooks where id = ${mine.id}`;
    expect(row).toBeDefined();
  });

  it("refuses an invalid id with 400", async () => {
    const response = await gateway.request("/api/v1/webhooks/abc", { method: "DELETE", apiKey: key });
    expect(response.status).toBe(400);
  });
});

describe("events", () => {
  it("listing.published is recorded when a listing becomes active, not again on each edit of an active one", async () => {
    const publisher = await gateway.createAgency("Publisher");
    const apiKey = publisher.apiKey;
    expect((await create({ url: PUBLIC_URL, events: ["listing.published"] }, apiKey)).status).toBe(201);
    const png = await photo("goldfish.png");
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await uploadedId(gateway, apiKey, distinctCopy(png)));
    await markOptimized(gateway, ids);
    const put = async (title: string, status: "active" | "draft") => {
      const listing = { externalId: "published-once", title, status, files: ids.map((id) => ({ id })) };
      const response = await gateway.request("/api/v1/listings", { method: "PUT", ...json(listing), apiKey });
      expect(response.status).toBe(200);
      return (await body(response)).status;
    };
    const published = async () => {
      const rows = await gateway.database.sql<{ type: string }[]>`
        select d.type from webhook_deliveries d join webhooks w on w.id = d.webhook_id
        where w.agency_id = ${publisher.agencyId} order by d.id`;
      return rows.map((row) => row.type);
    };

    expect(await put("First", "active")).toBe("active");
    expect(await published()).toEqual(["listing.published"]);
    expect(await put("Renamed", "active")).toBe("active");
    expect(await published()).toEqual(["listing.published"]);
    // Back to draft, then active again: a new publication.
    expect(await put("Renamed", "draft")).toBe("draft");
    expect(await put("Renamed", "active")).toBe("active");
    expect(await published()).toEqual(["listing.published", "listing.published"]);
  });
});
