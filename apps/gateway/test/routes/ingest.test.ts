import { createS3Storage } from "@darkroom/storage";
import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { type RunningS3rver, startS3rver, TEST_BUCKET } from "@darkroom/testing/s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let gateway: Gateway;
let key: string;
let jpeg: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency()).apiKey;
  jpeg = await photo("Picture_1A_by_freespace.jpg");
});
afterAll(() => gateway?.close());

function post(route: string, payload: unknown, apiKey = key) {
  return gateway.request(`/api/v1${route}`, { method: "POST", ...json(payload), apiKey });
}

describe("POST /media/upload-from-url refuses before any request", () => {
  it.each([
    ["file:///etc/passwd", "url must use http or https"],
    ["ftp://example.com/photo.jpg", "url must use http or https"],
    ["not a url", "url must be an absolute URL"],
    ["http://user:secret@example.com/x.jpg", "url must not contain credentials"],
    ["http://127.0.0.1/photo.jpg", "url must not point to a private, loopback or link-local address"],
    ["http://localhost/photo.jpg", "url must not point to a private, loopback or link-local address"],
    ["http://169.254.169.254/latest/meta-data", "url must not point to a private, loopback or link-local address"],
    ["http://[::ffff:10.0.0.1]/x.jpg", "url must not point to a private, loopback or link-local address"],
    ["http://10.1.2.3/x.jpg", "url must not point to a private, loopback or link-local address"],
  ])("%s answers 400", async (url, message) => {
    const response = await post("/media/upload-from-url", { url });
    expect(response.status).toBe(400);
    expect((await body(response)).message).toEqual([message]);
  });

  it("creates nothing when refused", async () => {
    await post("/media/upload-from-url", { url: "http://127.0.0.1/x.jpg", externalId: "never" });
    expect(await gateway.database.sql`select id from media where external_id = 'never'`).toHaveLength(0);
    expect(await gateway.database.sql`select id from client_jobs`).toHaveLength(0);
  });
});

describe("GET /job/status", () => {
  it("answers 404 for an unknown id, another agency's job, and 400 for a bad id", async () => {
    const other = await startGateway({ OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
    try {
      const { apiKey } = await other.createAgency("A");
      const stranger = (await other.createAgency("B")).apiKey;
      const accepted = await body(
        await other.request("/api/v1/media/upload-from-url", {
          method: "POST",
          ...json({ url: "http://127.0.0.1:9/x.jpg" }),
          apiKey,
        }),
      );
      const own = await other.request(`/api/v1/job/status?id=${accepted.jobId}`, { apiKey });
      expect(await body(own)).toMatchObject({ id: accepted.jobId, type: "import_media", status: "pending" });
      const theirs = await other.request(`/api/v1/job/status?id=${accepted.jobId}`, { apiKey: stranger });
      expect(theirs.status).toBe(404);
      expect((await body(theirs)).message).toBe("Job not found");
      expect((await other.request("/api/v1/job/status?id=abc", { apiKey })).status).toBe(400);
    } finally {
      await other.close();
    }
  });
});

describe("signed direct upload (filesystem driver)", () => {
  async function announce(extra: Record<string, unknown> = {}) {
    const response = await post("/media/upload-url", { contentType: "image/jpeg", size: jpeg.length, ...extra });
    expect(response.status).toBe(201);
    return body(response);
  }

  it("upload-url → PUT → complete makes the file visible and queued", async () => {
    const signed = await announce({ externalId: "direct-1" });
    expect(signed).toMatchObject({
      mediaId: expect.any(Number),
      method: "PUT",
      headers: { "Content-Type": "image/jpeg" },
    });
    const expiresIn = Date.parse(signed.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(29 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);
    // invisible until completed
    expect((await gateway.request(`/api/v1/media/${signed.mediaId}`, { apiKey: key })).status).toBe(404);
    const put = await fetch(signed.uploadUrl, { method: "PUT", headers: signed.headers, body: new Uint8Array(jpeg) });
    expect(put.status).toBe(200);
    const completed = await post(`/media/${signed.mediaId}/complete`, undefined);
    expect(completed.status).toBe(202);
    const media = await body(completed);
    expect(media).toMatchObject({
      id: signed.mediaId,
      externalId: "direct-1",
      size: jpeg.length,
      contentType: "image/jpeg",
      optimization: "pending",
    });
    const original = Buffer.from(await (await fetch(media.originalUrl)).arrayBuffer());
    expect(original.equals(jpeg)).toBe(true);
  });

  it("a declared fileName is kept, sanitized, on the completed file; a non-string one answers 400", async () => {
    const signed = await announce({ fileName: "DCIM/100APPLE/IMG_0042.JPG" });
    await fetch(signed.uploadUrl, { method: "PUT", headers: signed.headers, body: new Uint8Array(jpeg) });
    const media = await body(await post(`/media/${signed.mediaId}/complete`, undefined));
    expect(media.fileName).toBe("IMG_0042.JPG");
    const unnamed = await announce();
    await fetch(unnamed.uploadUrl, { method: "PUT", headers: unnamed.headers, body: new Uint8Array(jpeg) });
    expect((await body(await post(`/media/${unnamed.mediaId}/complete`, undefined))).fileName).toBeNull();
    const refused = await post("/media/upload-url", { contentType: "image/jpeg", size: 10, fileName: 42 });
    expect(refused.status).toBe(400);
    expect((await body(refused)).message).toEqual(["fileName must be a string of at most 4096 characters"]);
  });

  it("a tampered or expired URL is refused with 403", async () => {
    const signed = await announce();
    const url = new URL(signed.uploadUrl);
    const tampered = [
      url.toString().replace(/signature=([0-9a-f])/, (_m, c) => `signature=${c === "a" ? "b" : "a"}`),
      url.toString().replace(/expires=\d+/, `expires=${Math.floor(Date.now() / 1000) + 7200}`),
      url.toString().replace(/expires=\d+/, "expires=1000"),
    ];
    for (const target of tampered) {
      const response = await fetch(target, { method: "PUT", headers: signed.headers, body: new Uint8Array(jpeg) });
      expect(response.status).toBe(403);
    }
    const wrongType = await fetch(signed.uploadUrl, {
      method: "PUT",
      headers: { "Content-Type": "image/png" },
      body: new Uint8Array(jpeg),
    });
    expect(wrongType.status).toBe(403);
    const wrongSize = await fetch(signed.uploadUrl, {
      method: "PUT",
      headers: signed.headers,
      body: new Uint8Array(jpeg.subarray(0, 1000)),
    });
    expect(wrongSize.status).toBe(403);
  });

  it("completing before the PUT answers 400; bytes that are not an image answer 415 and are removed", async () => {
    const html = Buffer.from("<html>not an image</html>".padEnd(2000, " "));
    const signed = await body(await post("/media/upload-url", { contentType: "image/jpeg", size: html.length }));
    const early = await post(`/media/${signed.mediaId}/complete`, undefined);
    expect(early.status).toBe(400);
    expect((await body(early)).message).toEqual(["the file has not been uploaded to uploadUrl yet"]);
    await fetch(signed.uploadUrl, { method: "PUT", headers: signed.headers, body: new Uint8Array(html) });
    const completed = await post(`/media/${signed.mediaId}/complete`, undefined);
    expect(completed.status).toBe(415);
    expect((await body(completed)).message).toBe("Unsupported file type");
    expect(await gateway.storage.head(new URL(signed.uploadUrl).pathname.replace("/uploads/", ""))).toBeNull();
  });

  it("refuses bad declarations: type, size, over the limit, a taken external ID", async () => {
    const cases: [unknown, number, unknown][] = [
      [{ contentType: "text/html", size: 10 }, 400, expect.arrayContaining([expect.stringContaining("contentType")])],
      // Names every object has are not types we accept.
      [{ contentType: "constructor", size: 10 }, 400, expect.arrayContaining([expect.stringContaining("contentType")])],
      [{ contentType: "__proto__", size: 10 }, 400, expect.arrayContaining([expect.stringContaining("contentType")])],
      [{ contentType: "image/jpeg", size: 0 }, 400, ["size must be a positive integer (bytes)"]],
      [{ contentType: "image/jpeg", size: 26 * 1024 * 1024 }, 413, "File too large"],
    ];
    for (const [payload, status, message] of cases) {
      const response = await post("/media/upload-url", payload);
      expect(response.status).toBe(status);
      expect((await body(response)).message).toEqual(message);
    }
    const holder = await body(await upload(gateway, key, jpeg, "taken-direct"));
    const taken = await post("/media/upload-url", { contentType: "image/jpeg", size: 10, externalId: "taken-direct" });
    expect(taken.status).toBe(409);
    expect(await body(taken)).toMatchObject({ message: "External ID already linked", mediaId: holder.id });
  });

  it("another agency cannot complete the upload", async () => {
    const signed = await announce();
    const { apiKey } = await gateway.createAgency("Stranger");
    const response = await post(`/media/${signed.mediaId}/complete`, undefined, apiKey);
    expect(response.status).toBe(404);
  });
});

describe("signed direct upload (S3 driver, through s3rver)", () => {
  let s3: RunningS3rver;
  let s3Gateway: Gateway;
  let s3Key: string;

  beforeAll(async () => {
    s3 = await startS3rver();
    const storage = createS3Storage({
      bucket: TEST_BUCKET,
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    });
    s3Gateway = await startGateway({}, { storage });
    s3Key = (await s3Gateway.createAgency()).apiKey;
  });
  afterAll(async () => {
    await s3Gateway?.close();
    await s3?.close();
  });

  it("a real presigned PUT, then complete, serves the bytes from S3", async () => {
    const signed = await body(
      await s3Gateway.request("/api/v1/media/upload-url", {
        method: "POST",
        ...json({ contentType: "image/jpeg", size: jpeg.length }),
        apiKey: s3Key,
      }),
    );
    expect(signed.uploadUrl).toContain(s3.endpoint);
    const put = await fetch(signed.uploadUrl, { method: "PUT", headers: signed.headers, body: new Uint8Array(jpeg) });
    expect(put.status).toBe(200);
    const completed = await s3Gateway.request(`/api/v1/media/${signed.mediaId}/complete`, {
      method: "POST",
      apiKey: s3Key,
    });
    expect(completed.status).toBe(202);
    const media = await body(completed);
    expect(media).toMatchObject({ id: signed.mediaId, size: jpeg.length, contentType: "image/jpeg" });
    const original = Buffer.from(await (await fetch(media.originalUrl)).arrayBuffer());
    expect(original.equals(jpeg)).toBe(true);
  });
});

describe("POST /media/bulk", () => {
  it("runs independent operations in order with a summary", async () => {
    const a = await body(await upload(gateway, key, jpeg));
    const b = await body(await upload(gateway, key, jpeg, "bulk-b"));
    const response = await post("/media/bulk", {
      operations: [
        { op: "link", id: a.id, externalId: "bulk-a" },
        { op: "link", id: a.id, externalId: "bulk-other" },
        { op: "unlink", id: b.id },
        { op: "delete", externalId: "bulk-a" },
        { op: "delete", id: 999999 },
        { op: "upload-from-url", url: "ftp://example.com/x.jpg" },
        { op: "explode" },
      ],
    });
    expect(response.status).toBe(200);
    const result = await body(response);
    expect(result.summary).toEqual({ total: 7, succeeded: 3, failed: 4 });
    expect(
      result.results.map((r: { index: number; ok: boolean; status: number }) => [r.index, r.ok, r.status]),
    ).toEqual([
      [0, true, 200],
      [1, false, 409],
      [2, true, 200],
      [3, true, 200],
      [4, false, 404],
      [5, false, 400],
      [6, false, 400],
    ]);
    expect(result.results[0].data).toEqual({ mediaId: a.id, externalId: "bulk-a", linked: true });
    expect(result.results[1].error).toMatchObject({ message: "File already has external ID" });
    expect(result.results[3].data).toEqual({ deleted: true, mediaId: a.id });
    expect((await gateway.request(`/api/v1/media/${b.id}`, { apiKey: key }).then(body)).externalId).toBeNull();
  });

  it("answers 422 All bulk operations failed when every operation fails", async () => {
    const response = await post("/media/bulk", {
      operations: [
        { op: "delete", id: 999998 },
        { op: "unlink", id: 0 },
      ],
    });
    expect(response.status).toBe(422);
    expect(await body(response)).toMatchObject({
      statusCode: 422,
      message: "All bulk operations failed",
      summary: { total: 2, succeeded: 0, failed: 2 },
    });
  });

  it("answers 400 over 100 operations, or without an operations array", async () => {
    const many = Array.from({ length: 101 }, () => ({ op: "delete", id: 1 }));
    for (const payload of [{ operations: many }, { operations: "x" }, {}]) {
      expect((await post("/media/bulk", payload)).status).toBe(400);
    }
  });
});
