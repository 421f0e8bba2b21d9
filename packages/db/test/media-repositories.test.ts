import { importPlaceholder, statesBefore } from "@darkroom/domain";
import { useTestDatabase } from "@darkroom/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agencyRepository,
  createDb,
  mediaReads,
  mediaRepository,
  type NewMedia,
  optimizationRepository,
} from "../src/index.ts";

let client: Awaited<ReturnType<typeof useTestDatabase>>;
let agencyId: number;
let otherAgencyId: number;

beforeAll(async () => {
  client = await useTestDatabase();
  agencyId = await agencyRepository(client.db).insert("Media");
  otherAgencyId = await agencyRepository(client.db).insert("Other");
});
afterAll(async () => {
  await client?.close();
});

let files = 0;
function newFile(overrides: Partial<NewMedia> = {}): NewMedia {
  files++;
  return {
    agencyId,
    externalId: null,
    size: 1000 + files,
    contentType: "image/jpeg",
    sha256: `${files}`.padStart(64, "0"),
    storagePrefix: `m/repo-${files}`,
    originalKey: `m/repo-${files}/original.jpg`,
    fileName: null,
    ...overrides,
  };
}

async function optimizeJobs(mediaId: number) {
  return client.sql<{ payload: Record<string, unknown> }[]>`
    select j.payload from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = 'optimize_media' and (j.payload->>'mediaId')::int = ${mediaId}`;
}

/** A file made `success` with variants of the given sizes, as the optimizer's final transaction writes it. */
async function optimized(mediaId: number, sizes: string[]) {
  await client.db.transaction(async (tx) => {
    const result = optimizationRepository(tx);
    const [owner] = await Promise.all([
      result.markOptimized(mediaId, 1, { blurhash: "LKO2?U%2Tw=w", width: 800, height: 600, capturedAt: null }),
      result.deleteVariants(mediaId),
      result.insertVariants(
        mediaId,
        sizes.map((size) => ({ variantSize: size, key: `v/${mediaId}/${size}.webp`, size: 10, width: 8, height: 6 })),
      ),
    ]);
    expect(owner).toHaveLength(1);
  });
}

describe("mediaRepository", () => {
  it("insertAndQueue: the row and its optimize_media job (id, generation, original's key) in one statement", async () => {
    const row = await mediaRepository(client.db).insertAndQueue(newFile({ externalId: "queued" }));
    expect(row).toMatchObject({ agencyId, externalId: "queued", optimization: "pending", generation: 1 });
    expect((await optimizeJobs(row.id)).map((job) => job.payload)).toEqual([
      { mediaId: row.id, generation: 1, originalKey: row.originalKey },
    ]);
  });

  it("find, findByExternalId and holderOf answer the agency's files only", async () => {
    const files = mediaRepository(client.db);
    const row = await files.insertAndQueue(newFile({ externalId: "mine" }));
    expect((await files.find(agencyId, row.id))?.id).toBe(row.id);
    expect(await files.find(otherAgencyId, row.id)).toBeUndefined();
    expect((await files.findByExternalId(agencyId, "mine"))?.id).toBe(row.id);
    expect(await files.findByExternalId(otherAgencyId, "mine")).toBeUndefined();
    expect(await files.holderOf(agencyId, "mine")).toEqual({
      id: row.id,
      externalId: "mine",
      sha256: row.sha256,
      sourceUrl: null,
    });
    expect(await files.holderOf(otherAgencyId, "mine")).toBeNull();
  });

  it("page: newest first, before a cursor, in one state", async () => {
    const files = mediaRepository(client.db);
    const agency = await agencyRepository(client.db).insert("Paged");
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await files.insertAndQueue(newFile({ agencyId: agency }))).id);
    await optimizationRepository(client.db).markFailed(ids[1] as number, "broken");
    expect((await files.page(agency, { limit: 10 })).map((row) => row.id)).toEqual([...ids].reverse());
    expect((await files.page(agency, { limit: 2, before: ids[3] })).map((row) => row.id)).toEqual([ids[2], ids[1]]);
    expect((await files.page(agency, { limit: 10, optimization: "failed" })).map((row) => row.id)).toEqual([ids[1]]);
  });

  it("insertImport: nothing is written when another file of the agency carries the external ID", async () => {
    const files = mediaRepository(client.db);
    const placeholder = (prefix: string, externalId: string) => ({
      ...newFile({ externalId, storagePrefix: prefix }),
      ...importPlaceholder(prefix),
      sourceUrl: "https://images.example.test/a.jpg",
    });
    const id = await files.insertImport(placeholder("m/import-a", "imported"));
    expect(id).toBeTypeOf("number");
    expect(await files.insertImport(placeholder("m/import-b", "imported"))).toBeUndefined();
    expect(await files.insertImport({ ...placeholder("m/import-c", "imported"), agencyId: otherAgencyId })).toBeTypeOf(
      "number",
    );
  });

  it("reserveId and insertReserved: the file takes the id reserved from the sequence", async () => {
    const files = mediaRepository(client.db);
    const id = await files.reserveId();
    const next = await files.insertAndQueue(newFile());
    expect(next.id).toBeGreaterThan(id);
    expect((await files.insertReserved(id, newFile())).id).toBe(id);
  });

  it("requestOptimization: pending again, no error, the next generation; another agency's file is untouched", async () => {
    const files = mediaRepository(client.db);
    const row = await files.insertAndQueue(newFile());
    await optimizationRepository(client.db).markFailed(row.id, "broken");
    expect(await files.requestOptimization(otherAgencyId, row.id)).toBeUndefined();
    expect(await files.requestOptimization(agencyId, row.id)).toMatchObject({
      optimization: "pending",
      optimizationError: null,
      generation: 2,
    });
  });
});

describe("mediaReads", () => {
  it("shownByIds: each of the agency's files once, with its variants only once it is optimized", async () => {
    const files = mediaRepository(client.db);
    const done = await files.insertAndQueue(newFile({ externalId: "shown" }));
    const waiting = await files.insertAndQueue(newFile());
    await optimized(done.id, ["128", "512", "1024"]);
    const reads = mediaReads(client.reads);

    const [one] = await reads.shownByIds(agencyId, [done.id]);
    expect(one?.row).toMatchObject({
      id: done.id,
      externalId: "shown",
      size: done.size,
      optimization: "success",
      width: 800,
      height: 600,
      originalKey: done.originalKey,
    });
    expect(one?.row.createdAt).toBeInstanceOf(Date);
    expect(one?.variants.map((v) => v.variantSize).sort()).toEqual(["1024", "128", "512"]);
    expect(one?.variants[0]).toMatchObject({ size: 10, width: 8, height: 6 });

    const many = await reads.shownByIds(agencyId, [done.id, waiting.id, 2_000_000_000]);
    expect(many.map((entry) => entry.row.id).sort((a, b) => a - b)).toEqual([done.id, waiting.id]);
    expect(many.find((entry) => entry.row.id === waiting.id)?.variants).toEqual([]);

    expect(await reads.shownByIds(otherAgencyId, [done.id, waiting.id])).toEqual([]);
    expect(await reads.shownByIds(agencyId, [])).toEqual([]);
  });

  it("variantsOf: the variants of the files given", async () => {
    const done = await mediaRepository(client.db).insertAndQueue(newFile());
    await optimized(done.id, ["128", "512"]);
    const variants = await mediaRepository(client.db).variantsOf([done.id]);
    expect(variants.map((v) => [v.mediaId, v.variantSize]).sort()).toEqual([
      [done.id, "128"],
      [done.id, "512"],
    ]);
    expect(await mediaRepository(client.db).variantsOf([])).toEqual([]);
  });
});

describe("optimizationRepository", () => {
  it("claim: only the current generation, never a finished file (a retry claims an in_progress one again)", async () => {
    const row = await mediaRepository(client.db).insertAndQueue(newFile());
    const result = optimizationRepository(client.db);
    expect(await result.claim(row.id, 2)).toBeUndefined();
    expect(await result.claim(row.id, 1)).toMatchObject({ id: row.id, optimization: "in_progress" });
    expect(await result.claim(row.id, 1)).toMatchObject({ id: row.id, optimization: "in_progress" });
    await optimized(row.id, ["128"]);
    expect(await result.claim(row.id, 1)).toBeUndefined();
  });

  it("markOptimized answers no row for a superseded generation; the variants are replaced, their old keys answered", async () => {
    const row = await mediaRepository(client.db).insertAndQueue(newFile());
    await optimized(row.id, ["128", "512"]);
    const result = optimizationRepository(client.db);
    expect(await result.markOptimized(row.id, 2, { blurhash: "x", width: 1, height: 1, capturedAt: null })).toEqual([]);
    expect((await result.deleteVariants(row.id)).map((v) => v.key).sort()).toEqual([
      `v/${row.id}/128.webp`,
      `v/${row.id}/512.webp`,
    ]);
  });

  it("markOptimized, deleteVariants and insertVariants started together are sent before any answers: one round trip", async () => {
    const row = await mediaRepository(client.db).insertAndQueue(newFile());
    const events: string[] = [];
    const traced = createDb(client.url, {
      max: 1,
      onQuery: (query) => events.push(`sent ${query.trim().split(/\s/)[0]}`),
    });
    const finish = () =>
      traced.db.transaction(async (tx) => {
        const result = optimizationRepository(tx);
        const answered = (name: string) => () => events.push(`answered ${name}`);
        events.length = 0;
        await Promise.all([
          result
            .markOptimized(row.id, 1, { blurhash: "x", width: 1, height: 1, capturedAt: null })
            .then(answered("update")),
          result.deleteVariants(row.id).then(answered("delete")),
          result
            .insertVariants(row.id, [{ variantSize: "128", key: "k", size: 1, width: 1, height: 1 }])
            .then(answered("insert")),
        ]);
      });
    try {
      // The first time on a connection, postgres.js asks Postgres for the insert's parameter types
      // before it sends it; from then on (every job of a running optimizer), all three go at once.
      await finish();
      await finish();
    } finally {
      await traced.close();
    }
    expect(events.slice(0, 4)).toEqual(["sent update", "sent delete", "sent insert", "answered update"]);
  });

  it("markFailed with `still`: only at that generation and in one of those states", async () => {
    const row = await mediaRepository(client.db).insertAndQueue(newFile({ externalId: "failing" }));
    const result = optimizationRepository(client.db);
    const before = statesBefore("failed");
    expect(await result.markFailed(row.id, "no", { generation: 2, optimization: before })).toBeUndefined();
    expect(await result.markFailed(row.id, "no", { generation: 1, optimization: before })).toEqual({
      agencyId,
      externalId: "failing",
    });
    expect(await result.markFailed(row.id, "again", { generation: 1, optimization: before })).toBeUndefined();
    expect(await result.markFailed(2_000_000_000, "gone")).toBeUndefined();
  });

  it("storeImportedOriginal: once, for a file still to be downloaded", async () => {
    const id = await mediaRepository(client.db).insertImport({
      ...newFile({ storagePrefix: "m/import-store" }),
      ...importPlaceholder("m/import-store"),
      sourceUrl: "https://images.example.test/b.jpg",
    });
    const result = optimizationRepository(client.db);
    const original = {
      size: 123,
      contentType: "image/png",
      sha256: "f".repeat(64),
      originalKey: "m/import-store/o.png",
    };
    expect(await result.storeImportedOriginal(id as number, original)).toEqual({
      id,
      generation: 1,
      originalKey: "m/import-store/o.png",
    });
    expect(await result.storeImportedOriginal(id as number, original)).toBeUndefined();
    expect(await result.find(id as number)).toMatchObject({ size: 123, contentType: "image/png" });
    expect(await result.exists(id as number)).toBe(true);
    expect(await result.exists(2_000_000_000)).toBe(false);
  });
});
