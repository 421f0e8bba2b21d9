import path from "node:path";
import { MEDIA_UPDATED_CHANNEL, type MediaUpdatedNotification } from "@darkroom/db";
import { body, type Gateway, startGateway, upload } from "@darkroom/testing/gateway";
import { filesUnder, heicFixture, PHOTOS, photo, pixelBomb, waitFor } from "@darkroom/testing/optimizer";
import pino from "pino";
import postgres from "postgres";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOptimizerConfig } from "../../apps/optimizer/src/env.ts";
import { UnprocessableImageError } from "../../apps/optimizer/src/pipeline.ts";
import { HEARTBEAT_INTERVAL_MS } from "../../apps/optimizer/src/recovery.ts";
import { originalOf } from "../../apps/optimizer/src/tasks/optimize-media.ts";
import { type Optimizer, startOptimizer } from "../../apps/optimizer/src/worker.ts";

let gateway: Gateway;
let optimizer: Optimizer;
let apiKey: string;
let listener: postgres.Sql;
/** Every notification seen on `media_updated`, in order of arrival. */
const notifications: MediaUpdatedNotification[] = [];

let landscape: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  apiKey = (await gateway.createAgency("Optimizer tests")).apiKey;
  landscape = await photo(PHOTOS.landscape);

  listener = postgres(gateway.database.url, { max: 1, onnotice: () => {} });
  await listener.listen(MEDIA_UPDATED_CHANNEL, (payload) => {
    notifications.push(JSON.parse(payload) as MediaUpdatedNotification);
  });

  const config = parseOptimizerConfig({
    DATABASE_URL: gateway.database.url,
    DATA_DIR: gateway.dataDir,
    OPTIMIZER_CONCURRENCY: "2",
    LOG_LEVEL: "silent",
  });
  optimizer = await startOptimizer({
    config,
    db: gateway.database.db,
    sql: gateway.database.sql,
    storage: gateway.storage,
    databaseUrl: gateway.database.url,
    log: pino({ level: "silent" }),
  });
});

afterAll(async () => {
  await optimizer?.stop();
  await listener?.end({ timeout: 5 });
  await gateway?.close();
});

interface Variant {
  url: string;
  variantSize: string;
  size: number;
  width: number;
  height: number;
}

interface Media {
  id: number;
  externalId: string | null;
  size: number;
  contentType: string;
  optimization: "pending" | "in_progress" | "success" | "failed";
  optimizationError: string | null;
  blurhash: string | null;
  originalUrl: string;
  width: number | null;
  height: number | null;
  variants: Variant[];
}

async function uploaded(bytes: Buffer, externalId?: string, filename?: string): Promise<Media> {
  const response = await upload(gateway, apiKey, bytes, externalId, filename);
  expect(response.status).toBe(201);
  return (await body(response)) as Media;
}

async function getMedia(id: number): Promise<Media> {
  const response = await gateway.request(`/api/v1/media/${id}`, { apiKey });
  expect(response.status).toBe(200);
  return (await body(response)) as Media;
}

/** Polls GET /media/:id every 100 ms until the optimization is over. */
function settled(id: number, timeoutMs = 30_000): Promise<Media> {
  return waitFor(
    `media ${id} to finish optimizing`,
    async () => {
      const media = await getMedia(id);
      return media.optimization === "success" || media.optimization === "failed" ? media : undefined;
    },
    { timeoutMs },
  );
}

/** Waits until graphile-worker has no job left: every optimization and removal has run. */
function queueDrained(): Promise<true> {
  return waitFor("the job queue to drain", async () => {
    const [row] = await gateway.database.sql<{ count: number }[]>`
      select count(*)::int as count from graphile_worker._private_jobs`;
    return row?.count === 0 ? true : undefined;
  });
}

/** The storage prefix of a file (`m/<token>`), from its original's URL. */
function storagePrefixOf(media: Media): string {
  const key = decodeURIComponent(new URL(media.originalUrl).pathname).replace(/^\/files\//, "");
  return path.posix.dirname(key);
}

function objectsUnder(prefix: string): Promise<string[]> {
  return filesUnder(path.join(gateway.dataDir, "objects", prefix));
}

/** The optimization statuses published for a file, once its last expected one has arrived. */
function statusesPublished(id: number, last: MediaUpdatedNotification["optimization"], count: number) {
  return waitFor(`${count} notifications for media ${id}`, async () => {
    const mine = notifications.filter((n) => n.id === id).map((n) => n.optimization);
    return mine.length >= count && mine.at(-1) === last ? mine : undefined;
  });
}

async function jobsOf(id: number) {
  return gateway.database.sql<{ attempts: number; last_error: string | null }[]>`
    select attempts, last_error from graphile_worker._private_jobs where (payload->>'mediaId')::int = ${id}`;
}

async function fetchBytes(url: string) {
  const response = await fetch(url);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Fetches every variant and checks it is the WebP the media object describes. */
async function expectServedVariants(media: Media) {
  expect(media.variants.map((v) => v.variantSize)).toEqual(["128", "512", "1024"]);
  for (const variant of media.variants) {
    expect(variant.url).toMatch(new RegExp(`^${gateway.baseUrl}/files/m/[A-Za-z0-9_-]{24}/g\\d+/\\d+\\.webp$`));
    const { response, bytes } = await fetchBytes(variant.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(bytes.length).toBe(variant.size);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe("webp");
    expect({ width: meta.width, height: meta.height }).toEqual({ width: variant.width, height: variant.height });
    expect(Math.max(meta.width, meta.height)).toBe(
      Math.min(Number(variant.variantSize), Math.max(media.width ?? 0, media.height ?? 0)),
    );
    expect(meta.exif).toBeUndefined();
  }
}

describe("optimize_media through the gateway", () => {
  it("a JPEG upload ends success: three WebP variants served at absolute URLs, a blurhash, the original kept", async () => {
    const queued = await uploaded(landscape, "apt-001-photo-1");
    expect(queued).toMatchObject({ optimization: "pending", variants: [], blurhash: null });

    const media = await settled(queued.id);
    expect(media).toMatchObject({
      id: queued.id,
      externalId: "apt-001-photo-1",
      size: landscape.length,
      contentType: "image/jpeg",
      optimization: "success",
      optimizationError: null,
      width: 1365,
      height: 1074,
      originalUrl: queued.originalUrl,
    });
    expect(media.blurhash).toHaveLength(28);
    expect(media.variants.map((v) => [v.variantSize, v.width, v.height])).toEqual([
      ["128", 128, 101],
      ["512", 512, 403],
      ["1024", 1024, 806],
    ]);
    await expectServedVariants(media);
    // The variants live under the file's own unguessable prefix.
    const prefix = storagePrefixOf(media);
    for (const variant of media.variants) expect(variant.url).toContain(`/files/${prefix}/`);

    const original = await fetchBytes(media.originalUrl);
    expect(original.response.status).toBe(200);
    expect(original.bytes.equals(landscape)).toBe(true);
  });

  it("several photos uploaded at once all succeed, each with its own oriented dimensions", async () => {
    const rotated = await sharp(landscape).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const cases: Array<[Buffer, number, number, string]> = [
      [await photo(PHOTOS.portrait), 2056, 3088, "image/jpeg"],
      [await photo(PHOTOS.alpha), 3640, 2400, "image/png"],
      [await photo(PHOTOS.large), 4272, 2848, "image/jpeg"],
      [rotated, 1074, 1365, "image/jpeg"],
    ];
    const files = await Promise.all(cases.map(([bytes]) => uploaded(bytes)));
    const results = await Promise.all(files.map((file) => settled(file.id, 60_000)));
    for (const [index, media] of results.entries()) {
      const [bytes, width, height, contentType] = cases[index] ?? [];
      expect(media).toMatchObject({ optimization: "success", width, height, contentType, size: bytes?.length });
      expect(media.blurhash).toHaveLength(28);
      await expectServedVariants(media);
      const original = await fetchBytes(media.originalUrl);
      expect(bytes && original.bytes.equals(bytes)).toBe(true);
    }
  });

  it("a corrupt upload (a JPEG cut to its first 2 KB) ends failed with a reason, and is not retried", async () => {
    const corrupt = landscape.subarray(0, 2048);
    const queued = await uploaded(corrupt);
    expect(queued.contentType).toBe("image/jpeg");

    const media = await settled(queued.id);
    expect(media).toMatchObject({ optimization: "failed", variants: [], blurhash: null });
    expect(media.optimizationError).toEqual(expect.any(String));
    expect(media.optimizationError?.trim().length).toBeGreaterThan(0);
    // Failing is final: the job completed (and left the queue) instead of waiting for a retry.
    expect(await jobsOf(media.id)).toEqual([]);
    expect(await statusesPublished(media.id, "failed", 3)).toEqual(["pending", "in_progress", "failed"]);
    // The original is still served as uploaded.
    expect((await fetchBytes(media.originalUrl)).bytes.equals(corrupt)).toBe(true);
  });

  it("a HEIC upload ends success with three WebP variants; a truncated one ends failed with a reason", async () => {
    const heic = await heicFixture("sunset-corner.heic");
    const queued = await uploaded(heic, undefined, "photo.heic");
    expect(queued.contentType).toBe("image/heic");
    const media = await settled(queued.id);
    expect(media).toMatchObject({ optimization: "success", width: 480, height: 320, optimizationError: null });
    expect(media.blurhash).toHaveLength(28);
    await expectServedVariants(media);

    const truncated = await uploaded(heic.subarray(0, 5_000), undefined, "cut.heic");
    expect(truncated.contentType).toBe("image/heic");
    const failed = await settled(truncated.id);
    expect(failed).toMatchObject({ optimization: "failed", variants: [] });
    expect(failed.optimizationError).toMatch(/^the HEIC image could not be/);
    expect(await jobsOf(failed.id)).toEqual([]);
  });

  it("a pixel bomb ends failed, saying it has too many pixels", async () => {
    const queued = await uploaded(pixelBomb(30_000), undefined, "bomb.png");
    expect(queued.contentType).toBe("image/png");
    const media = await settled(queued.id);
    expect(media).toMatchObject({ optimization: "failed", variants: [] });
    expect(media.optimizationError).toMatch(/pixels/);
    expect(await jobsOf(media.id)).toEqual([]);
  });

  it("a job without the original's key (an older job), or naming another key, optimizes the file's own original", async () => {
    const first = await settled((await uploaded(landscape)).id);
    expect(first.optimization).toBe("success");
    for (const originalKey of [undefined, "m/elsewhere/original.jpg"]) {
      const [request] = await gateway.database.sql<{ generation: number }[]>`
        update media set optimization = 'pending', generation = generation + 1
        where id = ${first.id} returning generation`;
      const payload = { mediaId: first.id, generation: request?.generation, ...(originalKey ? { originalKey } : {}) };
      await gateway.database.sql`select graphile_worker.add_job('optimize_media', ${JSON.stringify(payload)}::json)`;
      const again = await settled(first.id);
      expect(again).toMatchObject({ optimization: "success", width: first.width, height: first.height });
      expect(again.variants.map((v) => v.url)).not.toEqual(first.variants.map((v) => v.url)); // the new generation's
      await expectServedVariants(again);
    }
  });

  it("every status change is published on media_updated: pending → in_progress → success", async () => {
    const queued = await uploaded(landscape);
    await settled(queued.id);
    expect(await statusesPublished(queued.id, "success", 3)).toEqual(["pending", "in_progress", "success"]);
    const agencyIds = new Set(notifications.filter((n) => n.id === queued.id).map((n) => n.agencyId));
    expect(agencyIds.size).toBe(1);
  });
});

describe("reading the original", () => {
  it("gives a local original's path, or its bytes from a store without local files; one over the limit is refused", async () => {
    const key = "m/original-limit-test/original.jpg";
    await gateway.storage.put(key, landscape, { contentType: "image/jpeg", size: landscape.length });
    const local = await originalOf(gateway.storage, key, landscape.length);
    expect(local).toBe((await gateway.storage.localFile(key))?.path);
    // The same store seen without local files: the original comes as a stream, read into bytes.
    const streamed = { ...gateway.storage, localFile: async () => undefined };
    expect(Buffer.isBuffer(await originalOf(streamed, key, landscape.length))).toBe(true);
    for (const storage of [gateway.storage, streamed]) {
      const refused = originalOf(storage, key, landscape.length - 1);
      await expect(refused).rejects.toBeInstanceOf(UnprocessableImageError);
      await expect(refused).rejects.toThrow("the stored original is larger than the upload limit");
    }
  });
});

describe("worker heartbeats", () => {
  it("the worker running a job beats: its id has a fresh row in optimizer_heartbeats", async () => {
    const queued = await uploaded(await photo(PHOTOS.large));
    await statusesPublished(queued.id, "in_progress", 2);
    const [job] = await gateway.database.sql<{ locked_by: string | null }[]>`
      select locked_by from graphile_worker._private_jobs where (payload->>'mediaId')::int = ${queued.id}`;
    const beats = await gateway.database.sql<{ worker_id: string; age: number }[]>`
      select worker_id, extract(epoch from now() - last_seen)::float8 as age from optimizer_heartbeats`;
    // One row per worker pool of the optimizer (graphile-worker locks its jobs with the pool's id),
    // refreshed every few seconds.
    expect(beats.length).toBeGreaterThanOrEqual(1);
    for (const beat of beats) expect(beat.age).toBeLessThan(HEARTBEAT_INTERVAL_MS / 1000 + 5);
    // The job is normally still running here (a 12-megapixel photo); when it is, its lock names a pool that beats.
    if (job?.locked_by) expect(beats.map((beat) => beat.worker_id)).toContain(job.locked_by);
    await settled(queued.id);
  });
});

describe("delete during optimization", () => {
  it("a file deleted right after upload leaves nothing in storage once the queue drains", async () => {
    const queued = await uploaded(await photo(PHOTOS.large));
    const prefix = storagePrefixOf(queued);
    expect(await objectsUnder(prefix)).toEqual(["original.jpg"]);

    const deleted = await gateway.request(`/api/v1/media/${queued.id}`, { method: "DELETE", apiKey });
    expect(deleted.status).toBe(200);
    await queueDrained();
    expect(await objectsUnder(prefix)).toEqual([]);
    expect((await gateway.request(`/api/v1/media/${queued.id}`, { apiKey })).status).toBe(404);
  });

  it("a file deleted while a worker optimizes it leaves nothing in storage once the queue drains", async () => {
    const large = await photo(PHOTOS.large);
    const queued = await uploaded(large);
    const prefix = storagePrefixOf(queued);
    // The notification arrives as the worker commits `in_progress`, with the decoding under way.
    await statusesPublished(queued.id, "in_progress", 2);

    const deleted = await gateway.request(`/api/v1/media/${queued.id}`, { method: "DELETE", apiKey });
    expect(deleted.status).toBe(200);
    await queueDrained();
    expect(await objectsUnder(prefix)).toEqual([]);
    const [row] = await gateway.database.sql`select 1 from media where id = ${queued.id}`;
    expect(row).toBeUndefined();
  });
});

describe("re-optimization", () => {
  it("a run superseded while it works leaves only the newer request's variants; its own are removed", async () => {
    const first = await settled((await uploaded(await photo(PHOTOS.large))).id);
    expect(first.optimization).toBe("success");
    const prefix = storagePrefixOf(first);
    const reoptimize = async () => {
      const response = await gateway.request(`/api/v1/media/${first.id}/reoptimize`, { method: "POST", apiKey });
      expect(response.status).toBe(202);
    };
    await reoptimize();
    // Generation 2 is claimed, its image being decoded; generation 3 is asked for meanwhile. (Should
    // generation 2 finish first on a slow machine, generation 3 replaces it: the same end.)
    await statusesPublished(first.id, "in_progress", 5);
    await reoptimize();

    const last = await settled(first.id);
    expect(last).toMatchObject({ optimization: "success", width: first.width, height: first.height });
    for (const variant of last.variants) expect(variant.url).toContain(`/${prefix}/g3/`);
    await expectServedVariants(last);
    await queueDrained();
    expect(await objectsUnder(prefix)).toEqual(["g3/1024.webp", "g3/128.webp", "g3/512.webp", "original.jpg"]);
  });

  it("replaces the variants with a new generation and removes the old one's objects", async () => {
    const first = await settled((await uploaded(landscape)).id);
    expect(first.optimization).toBe("success");
    const prefix = storagePrefixOf(first);
    for (const variant of first.variants) expect(variant.url).toContain(`/${prefix}/g1/`);

    const response = await gateway.request(`/api/v1/media/${first.id}/reoptimize`, { method: "POST", apiKey });
    expect(response.status).toBe(202);
    expect(await body(response)).toMatchObject({ id: first.id, optimization: "pending", variants: [] });

    const second = await settled(first.id);
    expect(second).toMatchObject({
      optimization: "success",
      optimizationError: null,
      width: 1365,
      height: 1074,
      blurhash: first.blurhash,
    });
    const firstUrls = first.variants.map((v) => v.url);
    const secondUrls = second.variants.map((v) => v.url);
    for (const url of secondUrls) {
      expect(url).toContain(`/${prefix}/g2/`);
      expect(firstUrls).not.toContain(url);
    }
    await expectServedVariants(second);

    await queueDrained();
    expect(await objectsUnder(prefix)).toEqual(["g2/1024.webp", "g2/128.webp", "g2/512.webp", "original.jpg"]);
    for (const url of firstUrls) expect((await fetch(url)).status).toBe(404);
    expect((await fetchBytes(second.originalUrl)).bytes.equals(landscape)).toBe(true);
    expect(await statusesPublished(first.id, "success", 6)).toEqual([
      "pending",
      "in_progress",
      "success",
      "pending",
      "in_progress",
      "success",
    ]);
  });
});
