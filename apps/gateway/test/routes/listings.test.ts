import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The listing routes over a real gateway and database, without an optimizer: files stay `pending`,
 * so an active listing waits. Publication itself (with the optimizer) is tested in
 * test/e2e/publish-listing.test.ts.
 */
let gateway: Gateway;
let key: string;
let strangerKey: string;
let jpeg: Buffer;
let photoCount = 0;

beforeAll(async () => {
  gateway = await startGateway({ OUTBOUND_ALLOW_HOSTS: "127.0.0.1", RATE_LIMIT_PER_MINUTE: "100000" });
  key = (await gateway.createAgency("Listings")).apiKey;
  strangerKey = (await gateway.createAgency("Stranger")).apiKey;
  jpeg = await photo("Picture_1A_by_freespace.jpg");
});
afterAll(() => gateway?.close());

/** A new file of the agency: the same photo with one more byte, so every file is distinct. */
async function newFile(externalId?: string, apiKey = key): Promise<{ id: number; externalId: string | null }> {
  photoCount += 1;
  const bytes = Buffer.concat([jpeg, Buffer.from([photoCount % 256, photoCount >> 8])]);
  const response = await upload(gateway, apiKey, bytes, externalId);
  expect(response.status).toBe(201);
  return body(response);
}

function put(payload: unknown, apiKey = key) {
  return gateway.request("/api/v1/listings", { method: "PUT", ...json(payload), apiKey });
}

async function putOk(payload: unknown, apiKey = key) {
  const response = await put(payload, apiKey);
  expect(response.status).toBe(200);
  return body(response);
}

function get(route: string, apiKey = key) {
  return gateway.request(`/api/v1${route}`, { apiKey });
}

async function expectError(response: Response, status: number, message: string | string[]) {
  expect(response.status).toBe(status);
  expect(await body(response)).toMatchObject({ statusCode: status, message });
}

async function publishJobs(listingId: number) {
  return gateway.database.sql<{ id: number; status: string; public_error_message: string | null }[]>`
    select id, status, public_error_message from client_jobs
    where listing_id = ${listingId} and type = 'publish_listing' order by id`;
}

async function queuedPublications(listingId: number) {
  return gateway.database.sql<{ payload: { listingId: number; jobId: number } }[]>`
    select j.payload from graphile_worker._private_jobs j
    where j.key = ${`publish_listing:${listingId}`}`;
}

describe("PUT /listings", () => {
  it("creates a draft by external ID: 200 {id, externalId, status, created: true}; GET shows it", async () => {
    const [a, b] = [await newFile("create-a"), await newFile()];
    const created = await putOk({ externalId: "apt-create", title: "Two rooms", files: [{ id: b.id }, { id: a.id }] });
    expect(created).toStrictEqual({ id: expect.any(Number), externalId: "apt-create", status: "draft", created: true });

    const listing = await body(await get(`/listings/${created.id}`));
    expect(listing).toStrictEqual({
      id: created.id,
      externalId: "apt-create",
      title: "Two rooms",
      status: "draft",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      files: [
        { id: b.id, externalId: null, contentType: "image/jpeg", size: jpeg.length + 2, optimization: "pending" },
        { id: a.id, externalId: "create-a", contentType: "image/jpeg", size: jpeg.length + 2, optimization: "pending" },
      ],
    });
    expect(new Date(listing.createdAt).toISOString()).toBe(listing.createdAt);
  });

  it("upserts: the same external ID again answers {updated: true} and replaces title and files, in order", async () => {
    const files = [await newFile("order-1"), await newFile("order-2"), await newFile("order-3"), await newFile()];
    const first = await putOk({ externalId: "apt-order", title: "Before", files: [{ id: files[0]?.id }] });
    const second = await putOk({
      externalId: "apt-order",
      files: [{ externalFileId: "order-3" }, { id: files[3]?.id }, { externalFileId: "order-1" }],
    });
    expect(second).toStrictEqual({ id: first.id, externalId: "apt-order", status: "draft", updated: true });
    const listing = await body(await get(`/listings/${first.id}`));
    expect(listing.title).toBe("");
    expect(listing.files.map((f: { id: number }) => f.id)).toEqual([files[2]?.id, files[3]?.id, files[0]?.id]);
    const rows = await gateway.database.sql`
      select media_id, position from listing_files where listing_id = ${first.id} order by position`;
    expect(rows.map((row) => [row.position, row.media_id])).toEqual([
      [0, files[2]?.id],
      [1, files[3]?.id],
      [2, files[0]?.id],
    ]);

    const emptied = await putOk({ externalId: "apt-order", files: [] });
    expect(emptied.updated).toBe(true);
    expect((await body(await get(`/listings/${first.id}`))).files).toEqual([]);
  });

  it("active with 3 files still pending answers pending_active with the jobId of a publish job", async () => {
    const files = [await newFile(), await newFile(), await newFile()];
    const result = await putOk({ externalId: "apt-wait", status: "active", files: files.map(({ id }) => ({ id })) });
    expect(result).toStrictEqual({
      id: expect.any(Number),
      externalId: "apt-wait",
      status: "pending_active",
      created: true,
      jobId: expect.any(Number),
    });
    const job = await body(await get(`/job/status?id=${result.jobId}`));
    expect(job).toMatchObject({ id: result.jobId, type: "publish_listing", status: "pending", resultData: null });
    expect(await queuedPublications(result.id)).toEqual([{ payload: { listingId: result.id, jobId: result.jobId } }]);

    // Asked again while it waits: the same job, and still one queued evaluation.
    const again = await putOk({ externalId: "apt-wait", status: "active", files: files.map(({ id }) => ({ id })) });
    expect(again).toMatchObject({ id: result.id, status: "pending_active", updated: true, jobId: result.jobId });
    expect(await queuedPublications(result.id)).toHaveLength(1);

    // Back to draft: the waiting job ends, cancelled.
    const draft = await putOk({ externalId: "apt-wait", status: "draft", files: files.map(({ id }) => ({ id })) });
    expect(draft).toStrictEqual({ id: result.id, externalId: "apt-wait", status: "draft", updated: true });
    expect(await body(await get(`/job/status?id=${result.jobId}`))).toMatchObject({
      status: "failed",
      publicErrorMessage: "publication cancelled: the listing was set to draft",
    });
  });

  it("21 files answer 400; 20 are accepted", async () => {
    const ids = Array.from({ length: 21 }, (_, i) => ({ id: i + 1 }));
    await expectError(await put({ externalId: "apt-21", files: ids }), 400, ["files must hold at most 20 items"]);
    const twenty = await Promise.all(Array.from({ length: 20 }, () => newFile()));
    const result = await putOk({ externalId: "apt-20", files: twenty.map(({ id }) => ({ id })) });
    expect((await body(await get(`/listings/${result.id}`))).files).toHaveLength(20);
  });

  it("active with fewer than 3 files answers 400 and changes nothing", async () => {
    const files = [await newFile(), await newFile()];
    const response = await put({ externalId: "apt-two", status: "active", files: files.map(({ id }) => ({ id })) });
    await expectError(response, 400, ["an active listing needs at least 3 files"]);
    expect(await gateway.database.sql`select id from listings where external_id = 'apt-two'`).toHaveLength(0);
  });

  it("a file given twice answers 400, also when an id and an external ID name the same file", async () => {
    const file = await newFile("twice-1");
    await expectError(await put({ externalId: "apt-twice", files: [{ id: file.id }, { id: file.id }] }), 400, [
      "files[1] is the same file as files[0]",
    ]);
    await expectError(
      await put({ externalId: "apt-twice", files: [{ externalFileId: "twice-1" }, { id: file.id }] }),
      400,
      ["files[1] is the same file as files[0]"],
    );
    expect(await gateway.database.sql`select id from listings where external_id = 'apt-twice'`).toHaveLength(0);
  });

  it("an unknown file id or external file ID answers 404 File not found and writes nothing", async () => {
    const file = await newFile();
    await expectError(
      await put({ externalId: "apt-404", files: [{ id: file.id }, { id: 999999 }] }),
      404,
      "File not found",
    );
    await expectError(
      await put({ externalId: "apt-404", files: [{ externalFileId: "nobody-has-this" }] }),
      404,
      "File not found",
    );
    expect(await gateway.database.sql`select id from listings where external_id = 'apt-404'`).toHaveLength(0);
  });

  it.each([
    ["a missing external ID", { title: "x" }, ["externalId must be a string"]],
    ["a bad status", { externalId: "apt-bad", status: "published" }, ["status must be one of draft, active"]],
    ["a long title", { externalId: "apt-bad", title: "x".repeat(501) }, ["title must be at most 500 characters"]],
    ["a bad file entry", { externalId: "apt-bad", files: [{ id: "abc" }] }, ["files[0].id must be a positive integer"]],
    ["an array body", [{ externalId: "apt-bad" }], ["body must be a JSON object"]],
  ])("%s answers 400 with the problems", async (_label, payload, message) => {
    await expectError(await put(payload), 400, message);
  });

  it("a body that is not JSON answers 415, broken JSON 400", async () => {
    const text = await gateway.request("/api/v1/listings", {
      method: "PUT",
      body: "externalId=apt",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      apiKey: key,
    });
    await expectError(text, 415, "Content-Type must be application/json");
    const broken = await gateway.request("/api/v1/listings", {
      method: "PUT",
      body: "{",
      headers: { "Content-Type": "application/json" },
      apiKey: key,
    });
    expect(broken.status).toBe(400);
  });

  it("10 parallel upserts of one new listing make one row; exactly one answers created", async () => {
    const files = [await newFile(), await newFile(), await newFile()];
    const payload = { externalId: "apt-race", status: "active", files: files.map(({ id }) => ({ id })) };
    const results = await Promise.all(Array.from({ length: 10 }, () => putOk(payload)));
    expect(results.filter((r) => r.created === true)).toHaveLength(1);
    expect(results.filter((r) => r.updated === true)).toHaveLength(9);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(await gateway.database.sql`select id from listings where external_id = 'apt-race'`).toHaveLength(1);
    expect(await publishJobs(results[0].id)).toHaveLength(1);
    const positions = await gateway.database
      .sql`select position from listing_files where listing_id = ${results[0].id}`;
    expect(positions).toHaveLength(3);
  });
});

describe("a file's optimization ending while a listing takes it", () => {
  it("the listing waits for that transaction and sees the end: no wake-up is lost between them", async () => {
    const files = [await newFile(), await newFile(), await newFile()];
    const [first, ...others] = files.map((file) => file.id);
    const { sql } = gateway.database;
    await sql`update media set optimization = 'success' where id in ${sql(others)}`;
    // The optimizer's last transaction for the first file, held open after it marked the file (and
    // looked for listings to wake: none yet), as if the listing's request came in right then.
    let marked!: () => void;
    let release!: () => void;
    const isMarked = new Promise<void>((resolve) => (marked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const ending = sql.begin(async (tx) => {
      await tx`update media set optimization = 'success', updated_at = now() where id = ${first as number}`;
      marked();
      await released;
    });
    await isMarked;
    const putting = putOk({
      externalId: "race-with-optimizer",
      status: "active",
      files: files.map(({ id }) => ({ id })),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await ending;
    // Read as still running, the listing would wait for a wake-up that the optimizer's transaction
    // had already looked for: pending_active, for ever.
    expect(await putting).toMatchObject({ externalId: "race-with-optimizer", status: "active", created: true });
  });
});

describe("PUT /listings with {url, externalFileId}", () => {
  it("imports a URL whose external ID is new, in the listing's transaction", async () => {
    const result = await putOk({
      externalId: "apt-url",
      files: [{ url: "http://127.0.0.1:9/new.jpg", externalFileId: "url-new-1" }],
    });
    const [file] = (await body(await get(`/listings/${result.id}`))).files;
    expect(file).toMatchObject({ externalId: "url-new-1", size: 0, optimization: "pending" });
    const [row] = await gateway.database.sql`select source_url from media where id = ${file.id}`;
    expect(row?.source_url).toBe("http://127.0.0.1:9/new.jpg");
    const imports = await gateway.database.sql`
      select status from client_jobs where media_id = ${file.id} and type = 'import_media'`;
    expect(imports).toEqual([{ status: "pending" }]);
  });

  it("reuses the agency's file carrying that external ID, whatever its URL: no new file, no import", async () => {
    const existing = await newFile("url-existing-1");
    const result = await putOk({
      externalId: "apt-url-reuse",
      files: [{ url: "http://127.0.0.1:9/other.jpg", externalFileId: "url-existing-1" }],
    });
    const listing = await body(await get(`/listings/${result.id}`));
    expect(listing.files.map((f: { id: number }) => f.id)).toEqual([existing.id]);
    expect(await gateway.database.sql`select id from client_jobs where media_id = ${existing.id}`).toHaveLength(0);
  });

  it("a URL to a private address answers 400 naming the entry, before anything is written", async () => {
    const response = await put({
      externalId: "apt-url-private",
      files: [{ externalFileId: "x" }, { url: "http://10.1.2.3/a.jpg", externalFileId: "url-private-1" }],
    });
    await expectError(response, 400, ["files[1].url must not point to a private, loopback or link-local address"]);
    expect(await gateway.database.sql`select id from media where external_id = 'url-private-1'`).toHaveLength(0);
  });

  it("a PUT refused after its import was written leaves no imported file behind", async () => {
    const jobsBefore = await gateway.database.sql`select id from client_jobs`;
    const response = await put({
      externalId: "apt-url-rollback",
      files: [{ url: "http://127.0.0.1:9/a.jpg", externalFileId: "url-rollback-1" }, { id: 999999 }],
    });
    await expectError(response, 404, "File not found");
    expect(await gateway.database.sql`select id from media where external_id = 'url-rollback-1'`).toHaveLength(0);
    expect(await gateway.database.sql`select id from client_jobs`).toHaveLength(jobsBefore.length);
  });

  it("parallel listings importing the same new external IDs share one file per ID", async () => {
    const files = [
      { url: "http://127.0.0.1:9/s1.jpg", externalFileId: "url-shared-1" },
      { url: "http://127.0.0.1:9/s2.jpg", externalFileId: "url-shared-2" },
    ];
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        putOk({ externalId: `apt-shared-${i}`, files: i % 2 ? files : [...files].reverse() }),
      ),
    );
    expect(results.every((r) => r.created)).toBe(true);
    const rows = await gateway.database.sql`select id from media where external_id in ('url-shared-1', 'url-shared-2')`;
    expect(rows).toHaveLength(2);
  });
});

describe("GET /listings", () => {
  it("pages through the agency's listings, newest first, with their files", async () => {
    const other = await startGateway({ RATE_LIMIT_PER_MINUTE: "100000" });
    try {
      const { apiKey } = await other.createAgency("Pages");
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await other.request("/api/v1/listings", {
          method: "PUT",
          ...json({ externalId: `page-${i}`, title: `Listing ${i}` }),
          apiKey,
        });
        ids.push((await body(response)).id);
      }
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const route: string = `/api/v1/listings?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
        const page = await body(await other.request(route, { apiKey }));
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const item of page.items) expect(item).toMatchObject({ files: [], status: "draft" });
        seen.push(...page.items.map((item: { id: number }) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      const all = await body(await other.request("/api/v1/listings", { apiKey }));
      expect(all).toMatchObject({ nextCursor: null });
      expect(all.items[0]).toMatchObject({ externalId: "page-4", title: "Listing 4" });
    } finally {
      await other.close();
    }
  });

  it("refuses a bad limit or cursor with 400", async () => {
    await expectError(await get("/listings?limit=0"), 400, ["limit must be an integer from 1 to 100"]);
    await expectError(await get("/listings?limit=101"), 400, ["limit must be an integer from 1 to 100"]);
    await expectError(await get("/listings?cursor=nope"), 400, ["cursor is invalid"]);
  });

  it("GET /listings/:id: a missing listing answers 404 Listing not found, a bad id 400", async () => {
    await expectError(await get("/listings/999999"), 404, "Listing not found");
    expect(await body(await get("/listings/999999"))).toMatchObject({ error: "Not Found", code: "LISTING_NOT_FOUND" });
    await expectError(await get("/listings/abc"), 400, ["id must be a positive integer"]);
  });
});

describe("DELETE /listings/:id", () => {
  it("answers {deleted: true}; the files stay; a waiting publication is cancelled", async () => {
    const files = [await newFile(), await newFile(), await newFile()];
    const listing = await putOk({ externalId: "apt-delete", status: "active", files: files.map(({ id }) => ({ id })) });
    const response = await gateway.request(`/api/v1/listings/${listing.id}`, { method: "DELETE", apiKey: key });
    expect(response.status).toBe(200);
    expect(await body(response)).toStrictEqual({ deleted: true });
    await expectError(await get(`/listings/${listing.id}`), 404, "Listing not found");
    for (const file of files) expect((await get(`/media/${file.id}`)).status).toBe(200);
    expect(await body(await get(`/job/status?id=${listing.jobId}`))).toMatchObject({
      status: "failed",
      publicErrorMessage: "publication cancelled: the listing was deleted",
    });
    const again = await gateway.request(`/api/v1/listings/${listing.id}`, { method: "DELETE", apiKey: key });
    await expectError(again, 404, "Listing not found");
  });
});

describe("link and unlink", () => {
  it("unlink answers {id, externalId, unlinked: true}; link answers {id, externalId, linked: true}", async () => {
    const listing = await putOk({ externalId: "apt-link" });
    const route = `/api/v1/listings/${listing.id}/link`;
    const unlinked = await gateway.request(route, { method: "DELETE", apiKey: key });
    expect(await body(unlinked)).toStrictEqual({ id: listing.id, externalId: "apt-link", unlinked: true });
    await expectError(
      await gateway.request(route, { method: "DELETE", apiKey: key }),
      409,
      "Listing has no external ID",
    );

    // The external ID is free: a PUT with it creates another listing.
    const other = await putOk({ externalId: "apt-link" });
    expect(other).toMatchObject({ created: true });
    expect(other.id).not.toBe(listing.id);

    const taken = await gateway.request(route, { method: "POST", ...json({ externalId: "apt-link" }), apiKey: key });
    expect(taken.status).toBe(409);
    expect(await body(taken)).toMatchObject({ message: "External ID already linked", listingId: other.id });

    const linked = await gateway.request(route, { method: "POST", ...json({ externalId: "apt-link-2" }), apiKey: key });
    expect(await body(linked)).toStrictEqual({ id: listing.id, externalId: "apt-link-2", linked: true });
    const same = await gateway.request(route, { method: "POST", ...json({ externalId: "apt-link-2" }), apiKey: key });
    expect(same.status).toBe(200);
    const different = await gateway.request(route, {
      method: "POST",
      ...json({ externalId: "apt-link-3" }),
      apiKey: key,
    });
    await expectError(different, 409, "Listing already has external ID");
    expect((await body(await get(`/listings/${listing.id}`))).externalId).toBe("apt-link-2");
  });

  it("link: a bad body answers 400 or 415; a missing listing 404", async () => {
    const listing = await putOk({ externalId: "apt-link-bad" });
    const route = `/api/v1/listings/${listing.id}/link`;
    await expectError(
      await gateway.request(route, { method: "POST", ...json({ externalId: " x" }), apiKey: key }),
      400,
      ["externalId must not have leading or trailing spaces"],
    );
    const text = await gateway.request(route, { method: "POST", body: "x", apiKey: key });
    expect(text.status).toBe(415);
    const missing = await gateway.request("/api/v1/listings/999999/link", {
      method: "POST",
      ...json({ externalId: "x" }),
      apiKey: key,
    });
    await expectError(missing, 404, "Listing not found");
  });
});

describe("deleting a file", () => {
  it("removes it from every listing, keeping the others' order", async () => {
    const files = [await newFile(), await newFile(), await newFile()];
    const refs = files.map(({ id }) => ({ id }));
    const one = await putOk({ externalId: "apt-file-gone-1", files: refs });
    const two = await putOk({ externalId: "apt-file-gone-2", files: [...refs].reverse() });
    await gateway.request(`/api/v1/media/${files[1]?.id}`, { method: "DELETE", apiKey: key });
    const ids = async (id: number) => (await body(await get(`/listings/${id}`))).files.map((f: { id: number }) => f.id);
    expect(await ids(one.id)).toEqual([files[0]?.id, files[2]?.id]);
    expect(await ids(two.id)).toEqual([files[2]?.id, files[0]?.id]);
  });

  it("a waiting listing that loses a file keeps its job, woken to evaluate again", async () => {
    const files = [await newFile(), await newFile(), await newFile(), await newFile()];
    const listing = await putOk({ externalId: "apt-wake", status: "active", files: files.map(({ id }) => ({ id })) });
    await gateway.database
      .sql`delete from graphile_worker._private_jobs where key = ${`publish_listing:${listing.id}`}`;
    await gateway.request(`/api/v1/media/${files[0]?.id}`, { method: "DELETE", apiKey: key });
    expect((await body(await get(`/listings/${listing.id}`))).status).toBe("pending_active");
    expect(await publishJobs(listing.id)).toEqual([
      { id: listing.jobId, status: "pending", public_error_message: null },
    ]);
    expect(await queuedPublications(listing.id)).toEqual([
      { payload: { listingId: listing.id, jobId: listing.jobId } },
    ]);
  });
});

describe("tenancy", () => {
  it("another agency's listing answers 404 Listing not found on every route, and is left untouched", async () => {
    const listing = await putOk({ externalId: "apt-private", title: "Mine" });
    const routes: [string, string, RequestInit?][] = [
      ["GET", `/api/v1/listings/${listing.id}`],
      ["POST", `/api/v1/listings/${listing.id}/link`, json({ externalId: "stolen" })],
      ["DELETE", `/api/v1/listings/${listing.id}/link`],
      ["DELETE", `/api/v1/listings/${listing.id}`],
    ];
    for (const [method, route, init] of routes) {
      const response = await gateway.request(route, { method, ...init, apiKey: strangerKey });
      expect({ route: `${method} ${route}`, status: response.status }).toEqual({
        route: `${method} ${route}`,
        status: 404,
      });
      expect(await body(response)).toMatchObject({ message: "Listing not found", error: "Not Found" });
    }
    expect(await body(await get(`/listings/${listing.id}`))).toMatchObject({
      externalId: "apt-private",
      title: "Mine",
    });
    const listed = await body(await get("/listings?limit=100", strangerKey));
    expect(listed.items.map((item: { id: number }) => item.id)).not.toContain(listing.id);
  });

  it("the same listing external ID in another agency is another listing", async () => {
    const mine = await putOk({ externalId: "apt-both", title: "Mine" });
    const theirs = await putOk({ externalId: "apt-both", title: "Theirs" }, strangerKey);
    expect(theirs).toMatchObject({ created: true });
    expect(theirs.id).not.toBe(mine.id);
    expect((await body(await get(`/listings/${mine.id}`))).title).toBe("Mine");
  });

  it("another agency's files answer 404 File not found, by id and by external ID, and are never shown", async () => {
    const mine = await newFile("tenant-file-1");
    for (const files of [[{ id: mine.id }], [{ externalFileId: "tenant-file-1" }]]) {
      await expectError(await put({ externalId: "apt-steal", files }, strangerKey), 404, "File not found");
    }
    // A URL entry with that external ID imports a new file of the stranger's own.
    const imported = await putOk(
      { externalId: "apt-steal", files: [{ url: "http://127.0.0.1:9/x.jpg", externalFileId: "tenant-file-1" }] },
      strangerKey,
    );
    const [file] = (await body(await get(`/listings/${imported.id}`, strangerKey))).files;
    expect(file.id).not.toBe(mine.id);
    expect(file).toMatchObject({ externalId: "tenant-file-1", size: 0 });
  });
});
