import { schema } from "@darkroom/db";
import { WEBHOOK_DELIVERY_RETENTION_DAYS, WEBHOOK_MAX_ATTEMPTS } from "@darkroom/domain";
import { type Gateway, startGateway } from "@darkroom/testing/gateway";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOptimizerConfig } from "../../apps/optimizer/src/env.ts";
import { createHeicDecoder } from "../../apps/optimizer/src/heic.ts";
import { Slots } from "../../apps/optimizer/src/slots.ts";
import { cleanupExpiredUploads } from "../../apps/optimizer/src/tasks/cleanup-uploads.ts";
import { pruneWebhookDeliveries } from "../../apps/optimizer/src/tasks/prune-deliveries.ts";

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway?.close());

describe("cleanup_expired_uploads", () => {
  it("removes direct uploads never completed after expiry, objects included, and keeps live ones", async () => {
    const { agencyId } = await gateway.createAgency();
    const bytes = Buffer.from("partial upload bytes");
    const uploads = [
      { mediaId: 900_001, prefix: "m/expiredprefix0000000000", expiresAt: new Date(Date.now() - 60_000) },
      { mediaId: 900_002, prefix: "m/liveprefix000000000000000", expiresAt: new Date(Date.now() + 600_000) },
    ];
    for (const upload of uploads) {
      const objectKey = `${upload.prefix}/original.jpg`;
      await gateway.storage.put(objectKey, bytes, { contentType: "image/jpeg", size: bytes.length });
      await gateway.database.db.insert(schema.pendingUploads).values({
        mediaId: upload.mediaId,
        agencyId,
        contentType: "image/jpeg",
        size: bytes.length,
        storagePrefix: upload.prefix,
        objectKey,
        expiresAt: upload.expiresAt,
      });
    }
    const task = cleanupExpiredUploads({
      db: gateway.database.db,
      storage: gateway.storage,
      imageSlots: new Slots(1),
      heicDecoder: createHeicDecoder({ threads: 1, timeoutMs: 60_000 }),
      config: parseOptimizerConfig({ DATABASE_URL: gateway.database.url }),
    });
    await task({}, { logger: pino({ level: "silent" }) } as never);
    const left = await gateway.database.sql<{ media_id: number }[]>`select media_id from pending_uploads`;
    expect(left.map((row) => row.media_id)).toEqual([900_002]);
    expect(await gateway.storage.head("m/expiredprefix0000000000/original.jpg")).toBeNull();
    expect(await gateway.storage.head("m/liveprefix000000000000000/original.jpg")).not.toBeNull();
  });
});

describe("prune_webhook_deliveries", () => {
  it("forgets deliveries that ended more than a week ago, and keeps recent and still-retrying ones", async () => {
    const { agencyId } = await gateway.createAgency("Pruned");
    const [hook] = await gateway.database.sql<{ id: number }[]>`
      insert into webhooks (agency_id, url, events, secret)
      values (${agencyId}, 'https://93.184.216.34/hook', ${["media.deleted"]}, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
      returning id`;
    const old = new Date(Date.now() - (WEBHOOK_DELIVERY_RETENTION_DAYS + 1) * 24 * 3600 * 1000);
    const rows = [
      { event: "old-delivered", attempts: 1, delivered: old, created: old },
      { event: "old-out-of-attempts", attempts: WEBHOOK_MAX_ATTEMPTS, delivered: null, created: old },
      { event: "old-still-retrying", attempts: 3, delivered: null, created: old },
      { event: "recent-delivered", attempts: 1, delivered: new Date(), created: new Date() },
    ];
    for (const row of rows) {
      await gateway.database.sql`
        insert into webhook_deliveries (webhook_id, event_id, type, payload, attempts, delivered_at, created_at)
        values (${hook?.id as number}, ${row.event}, 'media.deleted', '{}', ${row.attempts}, ${row.delivered?.toISOString() ?? null}::timestamptz, ${row.created.toISOString()}::timestamptz)`;
    }
    const task = pruneWebhookDeliveries({
      db: gateway.database.db,
      storage: gateway.storage,
      imageSlots: new Slots(1),
      heicDecoder: createHeicDecoder({ threads: 1, timeoutMs: 60_000 }),
      config: parseOptimizerConfig({ DATABASE_URL: gateway.database.url }),
    });
    await task({}, { logger: pino({ level: "silent" }) } as never);
    const left = await gateway.database.sql<{ event_id: string }[]>`
      select event_id from webhook_deliveries where webhook_id = ${hook?.id as number} order by id`;
    expect(left.map((row) => row.event_id)).toEqual(["old-still-retrying", "recent-delivered"]);
  });
});
