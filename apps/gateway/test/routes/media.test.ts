import { readdir } from "node:fs/promises";
import path from "node:path";
import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let gateway: Gateway;
let key: string;
let jpeg: Buffer;
let png: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Rentix")).apiKey;
  jpeg = await photo("Picture_1A_by_freespace.jpg");
  png = await photo("goldfish.png");
});
afterAll(() => gateway?.close());

async function uploaded(externalId?: string, bytes = jpeg) {
  const response = await upload(gateway, key, bytes, externalId);
  expect(response.status).toBe(201);
  return (await body(response)) as { id: number; externalId: string | null; originalUrl: string };
}

async function jobs(task: string) {
  return gateway.database.sql<{ payload: Record<string, unknown> }[]>`
    select j.payload from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = ${task} order by j.id`;
}

describe("POST /media", () => {
  it("upload: stores the bytes as sent and answers 201 with a pending media object", async () => {
    const response = await upload(gateway, key, jpeg, "apt-001-photo-1");
    expect(response.status).toBe(201);
    const media = await body(response);
    expect(media).toMatchObject({
      externalId: "apt-001-photo-1",
      size: jpeg.length,
      contentType: "image/jpeg",
      optimization: "pending",
      blurhash: null,
      variants: [],
    });
    expect(Number.isInteger(media.id)).toBe(true);
    expect(media.originalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/m\/[A-Za-z0-9_-]{24}\/original\.jpg$/);
    const original = await fetch(media.originalUrl);
    expect(original.status).toBe(200);
    expect(original.headers.get("content-type")).toBe("image/jpeg");
    expect(original.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await original.arrayBuffer()).equals(jpeg)).toBe(true);
  });

  it("upload: the file's row and its optimization job are written together", async () => {
    const { id } = await uploaded();
    expect((await jobs("optimize_media")).map((job) => job.payload)).toContainEqual({
      mediaId: id,
      generation: 1,
      originalKey: expect.stringMatching(/^m\/[\w-]+\/original\.jpg$/),
    });
  });

  it("upload: the type is sniffed from the bytes, not the file name", async () => {
    const response = await upload(gateway, key, png, undefined, "looks-like.jpg");
    expect(response.status).toBe(201);
    expect(await body(response)).toMatchObject({ contentType: "image/png" });
  });

  it("upload: the multipart file name is shown as fileName, sanitized; capturedAt is null until optimized", async () => {
    const response = await upload(gateway, key, jpeg, undefined, "Terrasse\u0000 cafe\u0301.jpg");
    const media = await body(response);
    expect(media).toMatchObject({ fileName: "Terrasse café.jpg", capturedAt: null });
    const read = await body(await gateway.request(`/api/v1/media/${media.id}`, { apiKey: key }));
    expect(read).toMatchObject({ fileName: "Terrasse café.jpg", capturedAt: null });
  });

  it("upload: bytes that are not an image answer 415 Unsupported file type and store nothing", async () => {
    const before = await objectCount();
    for (const bytes of [
      Buffer.from("<html><body>hello</body></html>"),
      Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      Buffer.alloc(0),
    ]) {
      const response = await upload(gateway, key, bytes, undefined, "photo.jpg");
      expect(response.status).toBe(415);
      expect(await body(response)).toMatchObject({ statusCode: 415, message: "Unsupported file type" });
    }
    expect(await objectCount()).toBe(before);
  });

  it("upload: without a file answers 400 with a message array", async () => {
    const form = new FormData();
    form.set("externalId", "x");
    const response = await gateway.request("/api/v1/media", { method: "POST", body: form, apiKey: key });
    expect(response.status).toBe(400);
    expect(await body(response)).toMatchObject({
      statusCode: 400,
      message: ["file is required"],
      error: "Bad Request",
    });
  });

  it("upload: an invalid external ID answers 400 naming the problem", async () => {
    const response = await upload(gateway, key, jpeg, " padded ");
    expect(response.status).toBe(400);
    expect((await body(response)).message).toEqual(["externalId must not have leading or trailing spaces"]);
  });

  it("upload: a JSON body answers 415", async () => {
    const response = await gateway.request("/api/v1/media", { method: "POST", ...json({ file: "x" }), apiKey: key });
    expect(response.status).toBe(415);
    expect(await body(response)).toMatchObject({ message: "Content-Type must be multipart/form-data" });
  });

  it("upload: an external ID already linked answers 409 with the holder's mediaId and stores nothing", async () => {
    const first = await uploaded("apt-002-photo-1");
    const before = await objectCount();
    const response = await upload(gateway, key, png, "apt-002-photo-1");
    expect(response.status).toBe(409);
    expect(await body(response)).toMatchObject({
      statusCode: 409,
      message: "External ID already linked",
      error: "Conflict",
      mediaId: first.id,
    });
    expect(await objectCount()).toBe(before);
  });

  it("upload: a byte-identical retry with the same external ID answers 200 with the existing file", async () => {
    const first = await uploaded("apt-003-photo-1");
    const before = await objectCount();
    const retry = await upload(gateway, key, jpeg, "apt-003-photo-1");
    expect(retry.status).toBe(200);
    expect(await body(retry)).toMatchObject({ id: first.id, externalId: "apt-003-photo-1" });
    expect(await objectCount()).toBe(before);
  });

  it("upload: parallel uploads carrying one new external ID give one 201 and 409s", async () => {
    const bodies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => upload(gateway, key, Buffer.concat([png, Buffer.from([i])]), "race-photo")),
    );
    const statuses = bodies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
  });
});

describe("upload limits", () => {
  it("upload: a file over MAX_UPLOAD_BYTES answers 413 File too large and leaves nothing behind", async () => {
    const small = await startGateway({ MAX_UPLOAD_BYTES: String(500 * 1024) });
    try {
      const { apiKey } = await small.createAgency();
      const response = await upload(small, apiKey, jpeg);
      expect(response.status).toBe(413);
      expect(await body(response)).toMatchObject({ statusCode: 413, message: "File too large" });
      expect(await readdir(path.join(small.dataDir, "objects")).catch(() => [])).toEqual(
        expect.not.arrayContaining(["m"]),
      );
      expect(await small.database.sql`select id from media`).toHaveLength(0);
    } finally {
      await small.close();
    }
  });

  it("a JSON body over 512 KB answers 413 Request body too large", async () => {
    const { id } = await uploaded();
    const response = await gateway.request(`/api/v1/media/${id}/link`, {
      method: "POST",
      ...json({ externalId: "x".repeat(600 * 1024) }),
      apiKey: key,
    });
    expect(response.status).toBe(413);
    expect(await body(response)).toMatchObject({ statusCode: 413, message: "Request body too large" });
  });
});

describe("GET /media/:id and /media/external/:externalId", () => {
  it("answer the media object of the seed's shape", async () => {
    const { id } = await uploaded("apt-010-photo-1");
    for (const route of [`/api/v1/media/${id}`, "/api/v1/media/external/apt-010-photo-1"]) {
      const response = await gateway.request(route, { headers: { Authorization: `ApiKey ${key}` } });
      expect(response.status).toBe(200);
      const media = await body(response);
      expect(Object.keys(media)).toEqual(
        expect.arrayContaining([
          "id",
          "externalId",
          "size",
          "contentType",
          "optimization",
          "blurhash",
          "originalUrl",
          "variants",
        ]),
      );
      expect(media).toMatchObject({ id, externalId: "apt-010-photo-1", optimization: "pending" });
    }
  });

  it("external IDs are URL-encoded in the path and case-sensitive", async () => {
    const externalId = "crm/42 фото#1?";
    const { id } = await uploaded(externalId);
    const response = await gateway.request(`/api/v1/media/external/${encodeURIComponent(externalId)}`, {
      apiKey: key,
    });
    expect(response.status).toBe(200);
    expect((await body(response)).id).toBe(id);
    const other = await gateway.request(`/api/v1/media/external/${encodeURIComponent(externalId.toUpperCase())}`, {
      apiKey: key,
    });
    expect(other.status).toBe(404);
  });

  it("a missing file answers 404 File not found", async () => {
    for (const route of ["/api/v1/media/999999", "/api/v1/media/external/nope"]) {
      const response = await gateway.request(route, { apiKey: key });
      expect(response.status).toBe(404);
      expect(await body(response)).toEqual({
        statusCode: 404,
        message: "File not found",
        error: "Not Found",
        code: "FILE_NOT_FOUND",
      });
    }
  });

  it("ids that are not positive integers answer 400", async () => {
    for (const id of ["0", "-1", "abc", "1.5", "99999999999999999999", "2147483648"]) {
      const response = await gateway.request(`/api/v1/media/${id}`, { apiKey: key });
      expect(response.status).toBe(400);
      expect((await body(response)).message).toEqual(["id must be a positive integer"]);
    }
  });
});

describe("GET /media", () => {
  it("pages through every file, newest first, with an opaque cursor", async () => {
    const { apiKey } = await gateway.createAgency("Pager");
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await upload(gateway, apiKey, Buffer.concat([png, Buffer.from([i])]));
      ids.push((await body(response)).id);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const response = await gateway.request(`/api/v1/media${query}`, { apiKey });
      expect(response.status).toBe(200);
      const page = (await body(response)) as { items: { id: number }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("filters by optimization status", async () => {
    const { apiKey } = await gateway.createAgency("Filter");
    await upload(gateway, apiKey, png);
    const pending = await body(await gateway.request("/api/v1/media?optimization=pending", { apiKey }));
    expect(pending.items).toHaveLength(1);
    const done = await body(await gateway.request("/api/v1/media?optimization=success", { apiKey }));
    expect(done).toEqual({ items: [], nextCursor: null });
  });

  it("refuses a bad limit, cursor or status with 400", async () => {
    for (const query of ["limit=0", "limit=101", "limit=abc", "cursor=garbage", "optimization=done"]) {
      const response = await gateway.request(`/api/v1/media?${query}`, { apiKey: key });
      expect(response.status).toBe(400);
      expect(Array.isArray((await body(response)).message)).toBe(true);
    }
  });
});

describe("DELETE /media", () => {
  it("by id answers {deleted: true}, frees the external ID and queues the removal of its objects", async () => {
    const { id } = await uploaded("apt-020-photo-1");
    const response = await gateway.request(`/api/v1/media/${id}`, { method: "DELETE", apiKey: key });
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({ deleted: true });
    expect((await gateway.request(`/api/v1/media/${id}`, { apiKey: key })).status).toBe(404);
    const removals = (await jobs("remove_objects")).map((job) => job.payload);
    expect(removals).toContainEqual({ prefixes: [expect.stringMatching(/^m\//)] });
    // the external ID is free again at once
    expect((await upload(gateway, key, png, "apt-020-photo-1")).status).toBe(201);
  });

  it("by external ID answers {deleted: true, mediaId}", async () => {
    const { id } = await uploaded("apt-021-photo-1");
    const response = await gateway.request("/api/v1/media/external/apt-021-photo-1", {
      method: "DELETE",
      apiKey: key,
    });
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({ deleted: true, mediaId: id });
  });

  it("parallel deletes of one file give one {deleted: true} and 404s", async () => {
    const { id } = await uploaded();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => gateway.request(`/api/v1/media/${id}`, { method: "DELETE", apiKey: key })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 404, 404, 404, 404]);
  });

  it("a missing file answers 404 File not found", async () => {
    const response = await gateway.request("/api/v1/media/external/never-there", { method: "DELETE", apiKey: key });
    expect(response.status).toBe(404);
    expect((await body(response)).message).toBe("File not found");
  });
});

describe("link and unlink", () => {
  it("link answers {mediaId, externalId, linked: true}; linking the same ID again is idempotent", async () => {
    const { id } = await uploaded();
    for (let i = 0; i < 2; i++) {
      const response = await gateway.request(`/api/v1/media/${id}/link`, {
        method: "POST",
        ...json({ externalId: "apt-030-photo-1" }),
        apiKey: key,
      });
      expect(response.status).toBe(200);
      expect(await body(response)).toEqual({ mediaId: id, externalId: "apt-030-photo-1", linked: true });
    }
  });

  it("link: a file with another external ID answers 409 File already has external ID", async () => {
    const { id } = await uploaded("apt-031-photo-1");
    const response = await gateway.request(`/api/v1/media/${id}/link`, {
      method: "POST",
      ...json({ externalId: "apt-031-photo-2" }),
      apiKey: key,
    });
    expect(response.status).toBe(409);
    expect((await body(response)).message).toBe("File already has external ID");
  });

  it("link: a taken external ID answers 409 External ID already linked", async () => {
    const holder = await uploaded("apt-032-photo-1");
    const { id } = await uploaded();
    const response = await gateway.request(`/api/v1/media/${id}/link`, {
      method: "POST",
      ...json({ externalId: "apt-032-photo-1" }),
      apiKey: key,
    });
    expect(response.status).toBe(409);
    expect(await body(response)).toMatchObject({ message: "External ID already linked", mediaId: holder.id });
  });

  it("link: 50 simultaneous links of one external ID to different files give one 200", async () => {
    const files = await Promise.all(
      Array.from({ length: 10 }, async (_, i) =>
        body(await upload(gateway, key, Buffer.concat([png, Buffer.from([i])]))),
      ),
    );
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gateway.request(`/api/v1/media/${files[i % 10].id}/link`, {
          method: "POST",
          ...json({ externalId: "storm-1" }),
          apiKey: key,
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    const winners = new Set<number>();
    for (const [i, response] of responses.entries()) if (response.status === 200) winners.add(files[i % 10].id);
    expect(winners.size).toBe(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
  });

  it("link: a bad body answers 400 or 415", async () => {
    const { id } = await uploaded();
    const cases: [RequestInit, number, unknown][] = [
      [json({}), 400, ["externalId must be a string"]],
      [json({ externalId: "" }), 400, ["externalId must be 1-255 characters"]],
      [json({ externalId: "x".repeat(256) }), 400, ["externalId must be 1-255 characters"]],
      [json({ externalId: "a\u0000b" }), 400, ["externalId must not contain control characters"]],
      [json([1, 2]), 400, ["body must be a JSON object"]],
      [{ body: "{not json", headers: { "Content-Type": "application/json" } }, 400, ["body is not valid JSON"]],
      [
        { body: "externalId=x", headers: { "Content-Type": "text/plain" } },
        415,
        "Content-Type must be application/json",
      ],
    ];
    for (const [init, status, message] of cases) {
      const response = await gateway.request(`/api/v1/media/${id}/link`, { method: "POST", ...init, apiKey: key });
      expect(response.status).toBe(status);
      expect((await body(response)).message).toEqual(message);
    }
  });

  it("unlink answers {mediaId, externalId, unlinked: true}; a file with none answers 409", async () => {
    const { id } = await uploaded("apt-040-photo-1");
    const response = await gateway.request(`/api/v1/media/${id}/link`, { method: "DELETE", apiKey: key });
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({ mediaId: id, externalId: "apt-040-photo-1", unlinked: true });
    const again = await gateway.request(`/api/v1/media/${id}/link`, { method: "DELETE", apiKey: key });
    expect(again.status).toBe(409);
    expect((await body(again)).message).toBe("File has no external ID");
  });
});

describe("POST /media/:id/reoptimize", () => {
  it("answers 202 with the media object queued again, with or without an empty JSON body", async () => {
    const { id } = await uploaded();
    const [{ original_key: originalKey } = { original_key: "" }] = await gateway.database.sql<
      { original_key: string }[]
    >`select original_key from media where id = ${id}`;
    for (const init of [{}, { headers: { "Content-Type": "application/json" } }]) {
      const response = await gateway.request(`/api/v1/media/${id}/reoptimize`, {
        method: "POST",
        ...init,
        apiKey: key,
      });
      expect(response.status).toBe(202);
      expect(await body(response)).toMatchObject({ id, optimization: "pending" });
    }
    const queued = (await jobs("optimize_media")).map((job) => job.payload).filter((p) => p.mediaId === id);
    expect(queued).toEqual([
      { mediaId: id, generation: 1, originalKey },
      { mediaId: id, generation: 2, originalKey },
      { mediaId: id, generation: 3, originalKey },
    ]);
  });
});

describe("GET /files", () => {
  it("answers 304 to a matching ETag and 404 to unknown or traversing keys", async () => {
    const { originalUrl } = await uploaded();
    const first = await fetch(originalUrl);
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    await first.arrayBuffer();
    const cached = await fetch(originalUrl, { headers: { "If-None-Match": etag ?? "" } });
    expect(cached.status).toBe(304);
    for (const route of ["/files/m/nothing/original.jpg", "/files/..%2F..%2Fetc%2Fpasswd", "/files/m/../../x"]) {
      expect((await gateway.request(route)).status).toBe(404);
    }
  });
});

async function objectCount(): Promise<number> {
  const root = path.join(gateway.dataDir, "objects", "m");
  return (await readdir(root).catch(() => [])).length;
}
