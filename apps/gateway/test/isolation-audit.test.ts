import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The isolation audit: every registered route is listed here, either with the reason it serves no
 * tenant data, or with a probe that uses another agency's ids and external IDs and must be refused
 * (or must not see them). A route added without an entry fails the first test.
 */
interface World {
  gateway: Gateway;
  stranger: string;
  strangerAgencyId: number;
  owner: { agencyId: number; fileId: number; externalId: string; jobId: number; listingId: number; webhookId: number };
}

type Entry = { public: string } | { probe: (world: World) => Promise<void> };

async function expectNotFound(response: Response, message = "File not found") {
  expect(response.status).toBe(404);
  expect((await body(response)).message).toBe(message);
}

const as = (world: World, route: string, init: RequestInit = {}) =>
  world.gateway.request(route, { ...init, apiKey: world.stranger });

const audit: Record<string, Entry> = {
  "GET /api/openapi.json": { public: "the API description; no tenant data" },
  "GET /api/docs": { public: "a static page rendering the API description" },
  "GET /healthz": { public: "answers whether the database is up; no tenant data" },
  "GET /metrics": { public: "aggregate counters and queue depth; no ids; expose to monitoring only" },
  "GET /files/*": { public: "capability URLs: an unguessable token names the object; no agency lookup" },
  "PUT /uploads/*": { public: "authorized by the HMAC-signed URL, which names one object of one agency" },
  "GET /graphql": { public: "GraphiQL / GraphQL over GET: every field is audited in test/graphql" },
  "POST /graphql": { public: "every GraphQL query and mutation is audited in test/graphql" },
  "OPTIONS /graphql": { public: "CORS preflight; no data" },
  "GET /api/v1/agency": {
    probe: async (w) => expect((await body(await as(w, "/api/v1/agency"))).id).toBe(w.strangerAgencyId),
  },
  "POST /api/v1/media": {
    probe: async (w) => {
      // The owner's external ID is free in the stranger's agency: no 409 that would reveal it.
      const response = await upload(w.gateway, w.stranger, await photo("goldfish.png"), "owner-only-2");
      expect(response.status).toBe(201);
      expect((await body(response)).id).not.toBe(w.owner.fileId);
    },
  },
  "GET /api/v1/media": {
    probe: async (w) => {
      const page = await body(await as(w, "/api/v1/media?limit=100"));
      expect(page.items.map((item: { id: number }) => item.id)).not.toContain(w.owner.fileId);
    },
  },
  "GET /api/v1/media/:id": { probe: async (w) => expectNotFound(await as(w, `/api/v1/media/${w.owner.fileId}`)) },
  "GET /api/v1/media/external/:externalId": {
    probe: async (w) => expectNotFound(await as(w, "/api/v1/media/external/owner-only")),
  },
  "DELETE /api/v1/media/:id": {
    probe: async (w) => expectNotFound(await as(w, `/api/v1/media/${w.owner.fileId}`, { method: "DELETE" })),
  },
  "DELETE /api/v1/media/external/:externalId": {
    probe: async (w) => expectNotFound(await as(w, "/api/v1/media/external/owner-only", { method: "DELETE" })),
  },
  "POST /api/v1/media/:id/link": {
    probe: async (w) =>
      expectNotFound(
        await as(w, `/api/v1/media/${w.owner.fileId}/link`, { method: "POST", ...json({ externalId: "x" }) }),
      ),
  },
  "DELETE /api/v1/media/:id/link": {
    probe: async (w) => expectNotFound(await as(w, `/api/v1/media/${w.owner.fileId}/link`, { method: "DELETE" })),
  },
  "POST /api/v1/media/:id/reoptimize": {
    probe: async (w) => expectNotFound(await as(w, `/api/v1/media/${w.owner.fileId}/reoptimize`, { method: "POST" })),
  },
  "POST /api/v1/media/:id/complete": {
    probe: async (w) => expectNotFound(await as(w, `/api/v1/media/${w.owner.fileId}/complete`, { method: "POST" })),
  },
  "POST /api/v1/media/upload-url": {
    probe: async (w) => {
      const response = await as(w, "/api/v1/media/upload-url", {
        method: "POST",
        ...json({ contentType: "image/png", size: 100, externalId: "owner-only-4" }),
      });
      expect(response.status).toBe(201); // the owner's external ID is not taken in the stranger's agency
    },
  },
  "POST /api/v1/media/upload-from-url": {
    probe: async (w) => {
      const response = await as(w, "/api/v1/media/upload-from-url", {
        method: "POST",
        ...json({ url: "https://93.184.216.34/owner.jpg", externalId: "owner-only-3" }),
      });
      // never the owner's file through the safe-retry rule
      expect(response.status).toBe(202);
      expect((await body(response)).mediaId).not.toBe(w.owner.fileId);
    },
  },
  "POST /api/v1/media/bulk": {
    probe: async (w) => {
      const response = await as(w, "/api/v1/media/bulk", {
        method: "POST",
        ...json({
          operations: [
            { op: "delete", id: w.owner.fileId },
            { op: "delete", externalId: "owner-only" },
            { op: "link", id: w.owner.fileId, externalId: "x" },
            { op: "unlink", id: w.owner.fileId },
          ],
        }),
      });
      expect(response.status).toBe(422);
      expect((await body(response)).results.map((r: { status: number }) => r.status)).toEqual([404, 404, 404, 404]);
    },
  },
  "PUT /api/v1/listings": {
    probe: async (w) => {
      const ownersFile = await as(w, "/api/v1/listings", {
        method: "PUT",
        ...json({ externalId: "x-1", title: "t", status: "draft", files: [{ id: w.owner.fileId }] }),
      });
      await expectNotFound(ownersFile);
      const byExternalId = await as(w, "/api/v1/listings", {
        method: "PUT",
        ...json({ externalId: "x-2", title: "t", status: "draft", files: [{ externalFileId: "owner-only" }] }),
      });
      await expectNotFound(byExternalId);
      // the owner's listing external ID names a new listing of the stranger's, never the owner's
      const same = await as(w, "/api/v1/listings", {
        method: "PUT",
        ...json({ externalId: "owner-listing", title: "mine", status: "draft", files: [] }),
      });
      const created = await body(same);
      expect(created).toMatchObject({ created: true });
      expect(created.id).not.toBe(w.owner.listingId);
    },
  },
  "GET /api/v1/listings": {
    probe: async (w) => {
      const page = await body(await as(w, "/api/v1/listings?limit=100"));
      expect(page.items.map((item: { id: number }) => item.id)).not.toContain(w.owner.listingId);
    },
  },
  "GET /api/v1/listings/:id": {
    probe: async (w) => expectNotFound(await as(w, `/api/v1/listings/${w.owner.listingId}`), "Listing not found"),
  },
  "DELETE /api/v1/listings/:id": {
    probe: async (w) =>
      expectNotFound(await as(w, `/api/v1/listings/${w.owner.listingId}`, { method: "DELETE" }), "Listing not found"),
  },
  "POST /api/v1/listings/:id/link": {
    probe: async (w) =>
      expectNotFound(
        await as(w, `/api/v1/listings/${w.owner.listingId}/link`, { method: "POST", ...json({ externalId: "y" }) }),
        "Listing not found",
      ),
  },
  "DELETE /api/v1/listings/:id/link": {
    probe: async (w) =>
      expectNotFound(
        await as(w, `/api/v1/listings/${w.owner.listingId}/link`, { method: "DELETE" }),
        "Listing not found",
      ),
  },
  "POST /api/v1/webhooks": {
    probe: async (w) => {
      const response = await as(w, "/api/v1/webhooks", {
        method: "POST",
        ...json({ url: "https://93.184.216.34/hook", events: ["media.deleted"] }),
      });
      expect(response.status).toBe(201);
      expect((await body(response)).id).not.toBe(w.owner.webhookId);
    },
  },
  "GET /api/v1/webhooks": {
    probe: async (w) => {
      const page = await body(await as(w, "/api/v1/webhooks"));
      expect(page.items.map((item: { id: number }) => item.id)).not.toContain(w.owner.webhookId);
    },
  },
  "DELETE /api/v1/webhooks/:id": {
    probe: async (w) =>
      expectNotFound(await as(w, `/api/v1/webhooks/${w.owner.webhookId}`, { method: "DELETE" }), "Webhook not found"),
  },
  "GET /api/v1/job/status": {
    probe: async (w) => expectNotFound(await as(w, `/api/v1/job/status?id=${w.owner.jobId}`), "Job not found"),
  },
};

let world: World;

beforeAll(async () => {
  const gateway = await startGateway();
  const owner = await gateway.createAgency("Owner");
  const stranger = await gateway.createAgency("Stranger");
  const png = await photo("goldfish.png");
  const file = await body(await upload(gateway, owner.apiKey, png, "owner-only"));
  // more external IDs the owner holds, for the probes that would create files in the stranger's agency
  for (const [i, externalId] of ["owner-only-2", "owner-only-3", "owner-only-4"].entries()) {
    await upload(gateway, owner.apiKey, Buffer.concat([png, Buffer.from([i])]), externalId);
  }
  const [job] = await gateway.database.sql<{ id: number }[]>`
    insert into client_jobs (agency_id, type, media_id) values (${owner.agencyId}, 'import_media', ${file.id})
    returning id`;
  const listing = await body(
    await gateway.request("/api/v1/listings", {
      method: "PUT",
      ...json({ externalId: "owner-listing", title: "Owner's", status: "draft", files: [{ id: file.id }] }),
      apiKey: owner.apiKey,
    }),
  );
  const [webhook] = await gateway.database.sql<{ id: number }[]>`
    insert into webhooks (agency_id, url, events, secret)
    values (${owner.agencyId}, 'https://93.184.216.34/owner', ${["media.deleted"]}, 'whsec_b3duZXI=')
    returning id`;
  world = {
    gateway,
    stranger: stranger.apiKey,
    strangerAgencyId: stranger.agencyId,
    owner: {
      agencyId: owner.agencyId,
      fileId: file.id,
      externalId: "owner-only",
      jobId: job?.id ?? 0,
      listingId: listing.id,
      webhookId: webhook?.id ?? 0,
    },
  };
});
afterAll(() => world?.gateway.close());

describe("isolation audit", () => {
  it("every registered route has an entry", () => {
    expect([...new Set(world.gateway.app.registeredRoutes)].sort()).toEqual(Object.keys(audit).sort());
  });

  for (const [route, entry] of Object.entries(audit)) {
    if ("probe" in entry) it(`${route} refuses another agency's data`, () => entry.probe(world));
  }

  it("the owner's file is untouched after every probe", async () => {
    const [row] = await world.gateway.database.sql<{ external_id: string; agency_id: number }[]>`
      select external_id, agency_id from media where id = ${world.owner.fileId}`;
    expect(row).toEqual({ external_id: "owner-only", agency_id: world.owner.agencyId });
    const [listing] = await world.gateway.database.sql<{ title: string; files: number }[]>`
      select title, (select count(*)::int from listing_files f where f.listing_id = l.id) as files
      from listings l where id = ${world.owner.listingId}`;
    expect(listing).toEqual({ title: "Owner's", files: 1 });
    const [webhook] = await world.gateway.database.sql<{ agency_id: number }[]>`
      select agency_id from webhooks where id = ${world.owner.webhookId}`;
    expect(webhook).toEqual({ agency_id: world.owner.agencyId });
  });
});
