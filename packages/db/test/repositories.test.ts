import { createHash } from "node:crypto";
import { WEBHOOK_MAX_ATTEMPTS } from "@darkroom/domain";
import { useTestDatabase } from "@darkroom/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addJob,
  agencyRepository,
  clientJobRepository,
  pendingUploadRepository,
  pingDatabase,
  waitingJobsByTask,
  webhookRepository,
} from "../src/index.ts";

let client: Awaited<ReturnType<typeof useTestDatabase>>;

beforeAll(async () => {
  client = await useTestDatabase();
});
afterAll(async () => {
  await client?.close();
});

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

describe("agencyRepository", () => {
  it("forKeyHash: the agency of a live key, until the key is revoked", async () => {
    const agencies = agencyRepository(client.db);
    const id = await agencies.insert("Keys");
    await agencies.insertKey(id, hash("live"));
    expect(await agencies.forKeyHash(hash("live"))).toEqual({ id, name: "Keys", status: "active" });
    expect(await agencies.setStatus(id, "suspended")).toBe(true);
    expect((await agencies.forKeyHash(hash("live")))?.status).toBe("suspended");
    expect(await agencies.revokeKey(hash("live"))).toBe(true);
    expect(await agencies.revokeKey(hash("live"))).toBe(false);
    expect(await agencies.forKeyHash(hash("live"))).toBeUndefined();
    expect(await agencies.forKeyHash(hash("unknown"))).toBeUndefined();
  });

  it("exists, lock and setStatus answer false for an agency that does not exist", async () => {
    const agencies = agencyRepository(client.db);
    expect(await agencies.exists(2_000_000_000)).toBe(false);
    expect(await agencies.setStatus(2_000_000_000, "active")).toBe(false);
    expect(await client.db.transaction((tx) => agencyRepository(tx).lock(2_000_000_000))).toBe(false);
    const id = await agencies.insert("Exists");
    expect(await agencies.exists(id)).toBe(true);
    expect(await client.db.transaction((tx) => agencyRepository(tx).lock(id))).toBe(true);
  });
});

describe("pendingUploadRepository", () => {
  it("expired: only uploads past their expiry; delete answers whether there was one", async () => {
    const agencyId = await agencyRepository(client.db).insert("Uploads");
    const uploads = pendingUploadRepository(client.db);
    const now = new Date();
    const pending = (mediaId: number, expiresAt: Date) => ({
      mediaId,
      agencyId,
      externalId: null,
      contentType: "image/png",
      size: 10,
      storagePrefix: `m/pending-${mediaId}`,
      objectKey: `m/pending-${mediaId}/original.png`,
      fileName: null,
      expiresAt,
    });
    await uploads.insert(pending(900_001, new Date(now.getTime() - 1000)));
    await uploads.insert(pending(900_002, new Date(now.getTime() + 60_000)));
    expect(await uploads.expired(now, 10)).toEqual([{ mediaId: 900_001, storagePrefix: "m/pending-900001" }]);
    expect((await uploads.find(agencyId, 900_002))?.objectKey).toBe("m/pending-900002/original.png");
    expect(await uploads.find(agencyId + 1, 900_002)).toBeUndefined();
    expect(await uploads.delete(900_001)).toBe(true);
    expect(await uploads.delete(900_001)).toBe(false);
  });
});

describe("clientJobRepository", () => {
  it("answers the agency's jobs only; update changes status and result", async () => {
    const agencyId = await agencyRepository(client.db).insert("Jobs");
    const otherId = await agencyRepository(client.db).insert("Other jobs");
    const jobs = clientJobRepository(client.db);
    const id = await jobs.insert({ agencyId, type: "import_media", mediaId: 1 });
    await jobs.update(id, { status: "completed", resultData: { mediaId: 1 } });
    expect(await jobs.find(agencyId, id)).toMatchObject({ status: "completed", resultData: { mediaId: 1 } });
    expect(await jobs.find(otherId, id)).toBeUndefined();
    expect((await jobs.findMany(agencyId, [id, 2_000_000_000])).map((job) => job.id)).toEqual([id]);
    expect(await jobs.findMany(otherId, [id])).toEqual([]);
    expect(await jobs.findMany(agencyId, [])).toEqual([]);
  });
});

describe("webhookRepository", () => {
  it("delete: of the agency given, or of any agency when it is null", async () => {
    const agencyId = await agencyRepository(client.db).insert("Hooks");
    const webhooks = webhookRepository(client.db);
    const webhook = { agencyId, url: "https://hooks.example.test/", events: ["media.failed" as const], secret: "s" };
    const id = await webhooks.insert(webhook);
    expect(await webhooks.count(agencyId)).toBe(1);
    expect((await webhooks.list(agencyId)).map((row) => row.id)).toEqual([id]);
    expect(await webhooks.delete(agencyId + 1, id)).toBe(false);
    expect(await webhooks.delete(null, id)).toBe(true);
    expect(await webhooks.count(agencyId)).toBe(0);
  });

  it("pruneDeliveries: only deliveries older than the cutoff that ended (delivered, or out of attempts)", async () => {
    const agencyId = await agencyRepository(client.db).insert("Outbox");
    const webhooks = webhookRepository(client.db);
    const webhookId = await webhooks.insert({ agencyId, url: "https://hooks.example.test/", events: [], secret: "s" });
    const { sql } = client;
    const insert = (eventId: string, daysAgo: number, attempts: number, delivered: boolean) => sql<{ id: number }[]>`
      insert into webhook_deliveries (webhook_id, event_id, type, payload, attempts, delivered_at, created_at)
      values (${webhookId}, ${eventId}, 'media.failed', '{}', ${attempts},
        ${delivered ? sql`now()` : null}, now() - make_interval(days => ${daysAgo}))
      returning id`;
    await insert("old-delivered", 8, 1, true);
    await insert("old-exhausted", 8, WEBHOOK_MAX_ATTEMPTS, false);
    await insert("old-retrying", 8, WEBHOOK_MAX_ATTEMPTS - 1, false);
    await insert("new-delivered", 1, 1, true);
    await webhooks.pruneDeliveries(new Date(Date.now() - 7 * 86_400_000), WEBHOOK_MAX_ATTEMPTS);
    const left = await sql<{ event_id: string }[]>`
      select event_id from webhook_deliveries where webhook_id = ${webhookId} order by event_id`;
    expect(left.map((row) => row.event_id)).toEqual(["new-delivered", "old-retrying"]);
  });

  it("delivery and recordAttempt: a failure counts the attempt; a success marks it delivered", async () => {
    const agencyId = await agencyRepository(client.db).insert("Deliveries");
    const webhooks = webhookRepository(client.db);
    const webhookId = await webhooks.insert({ agencyId, url: "https://hooks.example.test/d", events: [], secret: "k" });
    const [row] = await client.sql<{ id: number }[]>`
      insert into webhook_deliveries (webhook_id, event_id, type, payload)
      values (${webhookId}, 'msg_1', 'media.failed', '{"mediaId":1}') returning id`;
    const id = row?.id as number;
    expect(await webhooks.delivery(id)).toMatchObject({
      eventId: "msg_1",
      data: { mediaId: 1 },
      url: "https://hooks.example.test/d",
      secret: "k",
      deliveredAt: null,
    });
    await webhooks.recordAttempt(id, "the endpoint answered 500");
    await webhooks.recordAttempt(id, undefined);
    const [after] = await client.sql<{ attempts: number; last_error: string | null; delivered: boolean }[]>`
      select attempts, last_error, delivered_at is not null as delivered from webhook_deliveries where id = ${id}`;
    expect(after).toEqual({ attempts: 2, last_error: null, delivered: true });
    await webhooks.delete(agencyId, webhookId);
    expect(await webhooks.delivery(id)).toBeUndefined();
  });
});

describe("jobs and health", () => {
  it("waitingJobsByTask counts the jobs waiting, by task; pingDatabase resolves", async () => {
    await client.db.transaction(async (tx) => {
      await addJob(tx, "repository_test_task", { n: 1 });
      await addJob(tx, "repository_test_task", { n: 2 });
    });
    const depth = await waitingJobsByTask(client.sql);
    expect(depth.find((row) => row.task === "repository_test_task")?.waiting).toBe(2);
    await expect(pingDatabase(client.sql)).resolves.toBeUndefined();
  });
});
