import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { body, type Gateway, json, startGateway, upload } from "@darkroom/testing/gateway";
import { PHOTOS, photo, startOptimizerBeside, waitFor } from "@darkroom/testing/optimizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../apps/optimizer/src/worker.ts";

/**
 * Listing publication end to end: a real gateway, a real optimizer (sharp on real photos) and a
 * local source of files for URL imports on 127.0.0.1 (allowed through OUTBOUND_ALLOW_HOSTS).
 */
let gateway: Gateway;
let optimizer: Optimizer;
let apiKey: string;
let source: Server;
let sourceUrl: string;
let jpeg: Buffer;
let variantCount = 0;
/** Requests to `/held.jpg` wait here until the test releases them. */
const held: (() => void)[] = [];

beforeAll(async () => {
  jpeg = await photo(PHOTOS.landscape);
  source = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    if (url.pathname === "/photo.jpg") {
      response.writeHead(200, { "Content-Type": "image/jpeg" }).end(variant());
    } else if (url.pathname === "/held.jpg") {
      held.push(() => response.writeHead(200, { "Content-Type": "image/jpeg" }).end(variant()));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;

  const env = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1", RATE_LIMIT_PER_MINUTE: "100000" };
  gateway = await startGateway(env);
  apiKey = (await gateway.createAgency("Publication")).apiKey;
  optimizer = await startOptimizerBeside(gateway, { IMPORT_TIMEOUT_SECONDS: "60", ...env });
});

afterAll(async () => {
  for (const release of held.splice(0)) release();
  await optimizer?.stop();
  await gateway?.close();
  source?.closeAllConnections();
  await new Promise((resolve) => source?.close(resolve));
});

/** The test photo with bytes appended: a distinct file (another SHA-256) that decodes the same. */
function variant(): Buffer {
  variantCount += 1;
  return Buffer.concat([jpeg, Buffer.from([variantCount % 256, variantCount >> 8])]);
}

async function uploaded(bytes: Buffer, externalId?: string): Promise<{ id: number }> {
  const response = await upload(gateway, apiKey, bytes, externalId);
  expect(response.status).toBe(201);
  return body(response);
}

/** Files uploaded and already optimized. */
async function optimizedFiles(count: number) {
  const files = await Promise.all(Array.from({ length: count }, () => uploaded(variant())));
  await Promise.all(files.map((file) => settled(file.id)));
  return files;
}

function settled(mediaId: number) {
  return waitFor(`file ${mediaId} to settle`, async () => {
    const media = await body(await gateway.request(`/api/v1/media/${mediaId}`, { apiKey }));
    return media.optimization === "success" || media.optimization === "failed" ? media : undefined;
  });
}

async function put(payload: unknown) {
  const response = await gateway.request("/api/v1/listings", { method: "PUT", ...json(payload), apiKey });
  expect(response.status).toBe(200);
  return body(response);
}

async function listing(id: number) {
  return body(await gateway.request(`/api/v1/listings/${id}`, { apiKey }));
}

async function job(id: number) {
  return body(await gateway.request(`/api/v1/job/status?id=${id}`, { apiKey }));
}

/** Waits until the listing leaves `pending_active`. */
function decided(id: number) {
  return waitFor(`listing ${id} to be decided`, async () => {
    const current = await listing(id);
    return current.status === "pending_active" ? undefined : current;
  });
}

async function deleteFile(id: number) {
  const response = await gateway.request(`/api/v1/media/${id}`, { method: "DELETE", apiKey });
  expect(response.status).toBe(200);
}

/** Publication evaluations still queued for the listing (none while it merely waits: no polling). */
async function queuedEvaluations(listingId: number) {
  const rows = await gateway.database.sql`
    select id from graphile_worker._private_jobs where key = ${`publish_listing:${listingId}`}`;
  return rows.length;
}

describe("publication waits for optimization", () => {
  it("active with 3 pending files answers pending_active, then becomes active and the job completed", async () => {
    const files = await Promise.all([uploaded(variant()), uploaded(variant()), uploaded(variant())]);
    const result = await put({ externalId: "pub-ok", status: "active", files: files.map(({ id }) => ({ id })) });
    expect(result).toMatchObject({ status: "pending_active", created: true, jobId: expect.any(Number) });

    const published = await decided(result.id);
    expect(published.status).toBe("active");
    expect(published.files.map((f: { optimization: string }) => f.optimization)).toEqual([
      "success",
      "success",
      "success",
    ]);
    expect(await job(result.jobId)).toMatchObject({
      id: result.jobId,
      type: "publish_listing",
      status: "completed",
      resultData: { listingId: result.id },
      publicErrorMessage: null,
    });
  });

  it("with its files already optimized a listing is active at once, without a job", async () => {
    const files = await optimizedFiles(3);
    const result = await put({ externalId: "pub-at-once", status: "active", files: files.map(({ id }) => ({ id })) });
    expect(result).toStrictEqual({
      id: expect.any(Number),
      externalId: "pub-at-once",
      status: "active",
      created: true,
    });
  });

  it("a file that fails to optimize (a truncated JPEG) makes it publish_failed, the job failed naming the file", async () => {
    const good = await Promise.all([uploaded(variant()), uploaded(variant())]);
    const broken = await uploaded(jpeg.subarray(0, 2048), "pub-broken-photo");
    const result = await put({
      externalId: "pub-failed",
      status: "active",
      files: [{ id: good[0]?.id }, { externalFileId: "pub-broken-photo" }, { id: good[1]?.id }],
    });
    expect(result.status).toBe("pending_active");

    expect((await decided(result.id)).status).toBe("publish_failed");
    expect(await job(result.jobId)).toMatchObject({
      status: "failed",
      resultData: null,
      publicErrorMessage: `file ${broken.id} (pub-broken-photo) failed to optimize`,
    });

    // Asked again with the failed file still in it: publish_failed at once, with the reason.
    const again = await put({
      externalId: "pub-failed",
      status: "active",
      files: [{ id: good[0]?.id }, { id: broken.id }, { id: good[1]?.id }],
    });
    expect(again).toStrictEqual({
      id: result.id,
      externalId: "pub-failed",
      status: "publish_failed",
      updated: true,
      publicErrorMessage: `file ${broken.id} (pub-broken-photo) failed to optimize`,
    });
  });

  it("a file imported from a URL is waited for, and a listing reuses the file with that external ID", async () => {
    const files = await optimizedFiles(2);
    const entry = { url: `${sourceUrl}/photo.jpg`, externalFileId: "pub-url-photo" };
    const result = await put({
      externalId: "pub-url",
      status: "active",
      files: [...files.map(({ id }) => ({ id })), entry],
    });
    expect(result.status).toBe("pending_active");
    const published = await decided(result.id);
    expect(published.status).toBe("active");
    const imported = published.files[2];
    expect(imported).toMatchObject({ externalId: "pub-url-photo", contentType: "image/jpeg", optimization: "success" });

    const other = await put({
      externalId: "pub-url-2",
      status: "active",
      files: [entry, ...files.map(({ id }) => ({ id }))],
    });
    expect(other.status).toBe("active");
    expect((await listing(other.id)).files[0].id).toBe(imported.id);
  });

  it("a URL import that fails makes the listing publish_failed, naming the file", async () => {
    const files = await optimizedFiles(2);
    const result = await put({
      externalId: "pub-url-missing",
      status: "active",
      files: [...files.map(({ id }) => ({ id })), { url: `${sourceUrl}/missing.jpg`, externalFileId: "pub-missing" }],
    });
    expect((await decided(result.id)).status).toBe("publish_failed");
    const [file] = await gateway.database.sql`select id from media where external_id = 'pub-missing'`;
    expect(await job(result.jobId)).toMatchObject({
      status: "failed",
      publicErrorMessage: `file ${file?.id} (pub-missing) failed to optimize`,
    });
  });
});

describe("files leaving a listing", () => {
  it("a waiting listing whose last pending file is deleted is evaluated again, and published", async () => {
    const files = await optimizedFiles(3);
    const result = await put({
      externalId: "pub-held",
      status: "active",
      files: [...files.map(({ id }) => ({ id })), { url: `${sourceUrl}/held.jpg`, externalFileId: "pub-held-photo" }],
    });
    expect(result.status).toBe("pending_active");
    await waitFor("the held download to start", async () => (held.length > 0 ? true : undefined));
    // It waits without polling: the job has run once, and nothing is queued until a file ends.
    await waitFor("the first evaluation", async () =>
      (await job(result.jobId)).status === "processing" ? true : undefined,
    );
    await waitFor("the evaluation to leave the queue", async () =>
      (await queuedEvaluations(result.id)) === 0 ? true : undefined,
    );
    // Longer than the worker's poll interval: nothing runs again until something changes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await queuedEvaluations(result.id)).toBe(0);
    expect((await listing(result.id)).status).toBe("pending_active");
    expect((await job(result.jobId)).status).toBe("processing");

    const [pending] = await gateway.database.sql`select id from media where external_id = 'pub-held-photo'`;
    await deleteFile(pending?.id);
    const published = await decided(result.id);
    expect(published.status).toBe("active");
    expect(published.files.map((f: { id: number }) => f.id)).toEqual(files.map(({ id }) => id));
    expect(await job(result.jobId)).toMatchObject({ status: "completed", resultData: { listingId: result.id } });
    for (const release of held.splice(0)) release();
  });

  it("deleting a file of an active listing with 3 files makes it pending_active, until it has 3 again", async () => {
    const files = await optimizedFiles(4);
    const result = await put({
      externalId: "pub-shrink",
      status: "active",
      files: files.slice(0, 3).map(({ id }) => ({ id })),
    });
    expect(result.status).toBe("active");

    await deleteFile(files[1]?.id ?? 0);
    const waiting = await listing(result.id);
    expect(waiting.status).toBe("pending_active");
    expect(waiting.files.map((f: { id: number }) => f.id)).toEqual([files[0]?.id, files[2]?.id]);
    const [opened] = await gateway.database.sql<{ id: number }[]>`
      select id from client_jobs where listing_id = ${result.id} and type = 'publish_listing'`;
    expect(opened).toBeDefined();
    await waitFor("the evaluation", async () =>
      (await job(opened?.id ?? 0)).status === "processing" ? true : undefined,
    );
    expect((await listing(result.id)).status).toBe("pending_active");

    const again = await put({
      externalId: "pub-shrink",
      status: "active",
      files: [files[0], files[2], files[3]].map((file) => ({ id: file?.id })),
    });
    expect(again).toMatchObject({ status: "active", updated: true });
    expect(again.jobId).toBeUndefined();
    expect(await job(opened?.id ?? 0)).toMatchObject({ status: "completed", resultData: { listingId: result.id } });
  });

  it("deleting a file of an active listing with 4 files leaves it active", async () => {
    const files = await optimizedFiles(4);
    const result = await put({ externalId: "pub-keep", status: "active", files: files.map(({ id }) => ({ id })) });
    expect(result.status).toBe("active");
    await deleteFile(files[0]?.id ?? 0);
    expect(await listing(result.id)).toMatchObject({ status: "active" });
    expect((await listing(result.id)).files).toHaveLength(3);
  });

  it("DELETE /listings keeps the files", async () => {
    const files = await optimizedFiles(3);
    const result = await put({ externalId: "pub-delete", status: "active", files: files.map(({ id }) => ({ id })) });
    const response = await gateway.request(`/api/v1/listings/${result.id}`, { method: "DELETE", apiKey });
    expect(await body(response)).toStrictEqual({ deleted: true });
    for (const file of files) {
      expect(await body(await gateway.request(`/api/v1/media/${file.id}`, { apiKey }))).toMatchObject({
        id: file.id,
        optimization: "success",
      });
    }
  });
});
