import { body, distinctCopy, type Gateway, photo, startGateway, uploadedId } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_FIELDS, graphql, markOptimized } from "./client.ts";

let gateway: Gateway;
let key: string;
let png: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Listings")).apiKey;
  png = await photo("goldfish.png");
});
afterAll(() => gateway?.close());

const uploaded = (externalId?: string) => uploadedId(gateway, key, distinctCopy(png), externalId);

const LISTING_FIELDS = "databaseId externalId title status createdAt updatedAt media { databaseId externalId }";

const UPSERT = `mutation($input: UpsertListingInput!) {
  upsertListing(input: $input) {
    ${ERROR_FIELDS}
    ... on UpsertListingSuccess { created jobId publicErrorMessage listing { ${LISTING_FIELDS} } }
  }
}`;
const DELETE = `mutation($id: Int!) {
  deleteListing(id: $id) { ${ERROR_FIELDS} ... on DeleteListingSuccess { listingId deletedId } }
}`;
const JOB = `query($id: Int!) { job(id: $id) { id databaseId type status createdAt resultData publicErrorMessage } }`;

async function upsert(input: Record<string, unknown>) {
  const response = await graphql(gateway, key, UPSERT, { input });
  expect(response.errors).toBeUndefined();
  return response.data.upsertListing;
}

describe("upsertListing", () => {
  it("creates a draft with its files in order (by id and by external ID), then updates it", async () => {
    const [a, b] = [await uploaded(), await uploaded("apt-1-photo-2")];
    const created = await upsert({
      externalId: "apt-1",
      title: "Two rooms",
      files: [{ externalFileId: "apt-1-photo-2" }, { id: a }],
    });
    expect(created).toMatchObject({
      __typename: "UpsertListingSuccess",
      created: true,
      jobId: null,
      publicErrorMessage: null,
      listing: {
        externalId: "apt-1",
        title: "Two rooms",
        status: "DRAFT",
        media: [
          { databaseId: b, externalId: "apt-1-photo-2" },
          { databaseId: a, externalId: null },
        ],
      },
    });
    const updated = await upsert({ externalId: "apt-1", title: "Three rooms", files: [{ id: a }] });
    expect(updated.created).toBe(false);
    expect(updated.listing).toMatchObject({
      databaseId: created.listing.databaseId,
      title: "Three rooms",
      media: [{ databaseId: a }],
    });
    const rest = await body(await gateway.request(`/api/v1/listings/${created.listing.databaseId}`, { apiKey: key }));
    expect(rest).toMatchObject({ title: "Three rooms", status: "draft", files: [{ id: a }] });
    expect(rest.updatedAt).toBe(updated.listing.updatedAt);
  });

  it("ACTIVE with every file optimized is ACTIVE at once", async () => {
    const ids = [await uploaded(), await uploaded(), await uploaded()];
    await markOptimized(gateway, ids);
    const result = await upsert({ externalId: "apt-2", status: "ACTIVE", files: ids.map((id) => ({ id })) });
    expect(result).toMatchObject({ created: true, jobId: null, listing: { status: "ACTIVE" } });
  });

  it("ACTIVE waiting for the optimizer is PENDING_ACTIVE with a publish_listing job; deleting ends the job", async () => {
    const ids = [await uploaded(), await uploaded(), await uploaded()];
    const result = await upsert({ externalId: "apt-3", status: "ACTIVE", files: ids.map((id) => ({ id })) });
    expect(result.listing.status).toBe("PENDING_ACTIVE");
    expect(result.jobId).toEqual(expect.any(Number));
    const job = (await graphql(gateway, key, JOB, { id: result.jobId })).data.job;
    expect(job).toMatchObject({
      databaseId: result.jobId,
      type: "publish_listing",
      status: "PENDING",
      resultData: null,
      publicErrorMessage: null,
    });
    const rest = await body(await gateway.request(`/api/v1/job/status?id=${result.jobId}`, { apiKey: key }));
    expect(job.createdAt).toBe(rest.createdAt);
    // the global id of a job is a node
    const node = await graphql(gateway, key, `query($id: ID!) { node(id: $id) { ... on Job { databaseId } } }`, {
      id: job.id,
    });
    expect(node.data.node).toEqual({ databaseId: result.jobId });

    const deleted = (await graphql(gateway, key, DELETE, { id: result.listing.databaseId })).data.deleteListing;
    expect(deleted).toEqual({
      __typename: "DeleteListingSuccess",
      listingId: result.listing.databaseId,
      deletedId: Buffer.from(`Listing:${result.listing.databaseId}`).toString("base64"),
    });
    const ended = (await graphql(gateway, key, JOB, { id: result.jobId })).data.job;
    expect(ended).toMatchObject({
      status: "FAILED",
      publicErrorMessage: "publication cancelled: the listing was deleted",
    });
  });

  it("a completed job shows its resultData as JSON", async () => {
    const ids = [await uploaded(), await uploaded(), await uploaded()];
    const result = await upsert({ externalId: "apt-3b", status: "ACTIVE", files: ids.map((id) => ({ id })) });
    await gateway.database.sql`
      update client_jobs set status = 'completed', result_data = ${JSON.stringify({ listingId: result.listing.databaseId })}::jsonb
      where id = ${result.jobId}`;
    const job = (await graphql(gateway, key, JOB, { id: result.jobId })).data.job;
    expect(job).toMatchObject({ status: "COMPLETED", resultData: { listingId: result.listing.databaseId } });
  });

  it("a failed file makes it PUBLISH_FAILED, naming the file", async () => {
    const ids = [await uploaded(), await uploaded("apt-4-photo-2"), await uploaded()];
    await gateway.database.sql`update media set optimization = 'failed' where id = ${ids[1] ?? 0}`;
    const result = await upsert({ externalId: "apt-4", status: "ACTIVE", files: ids.map((id) => ({ id })) });
    expect(result).toMatchObject({
      listing: { status: "PUBLISH_FAILED" },
      jobId: null,
      publicErrorMessage: `file ${ids[1]} (apt-4-photo-2) failed to optimize`,
    });
  });

  it("refuses what PUT /listings refuses, with its messages, and writes nothing", async () => {
    const id = await uploaded();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ externalId: "apt-5", status: "ACTIVE", files: [{ id }] }, ["an active listing needs at least 3 files"]],
      [
        { externalId: "apt-5", files: [{ id, externalFileId: "x" }] },
        ["files[0] must give either id or externalFileId, not both"],
      ],
      [{ externalId: "apt-5", files: [{ id }, { id }] }, ["files[1] is the same file as files[0]"]],
      [{ externalId: "apt-5", files: [{}] }, ["files[0] must have id or externalFileId"]],
      [{ externalId: " apt-5" }, []],
    ];
    for (const [input, problems] of cases) {
      const result = await upsert(input);
      const rest = await body(
        await gateway.request("/api/v1/listings", {
          method: "PUT",
          apiKey: key,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ ...input, ...(input.status ? { status: "active" } : {}) }),
        }),
      );
      expect(result).toEqual({
        __typename: "ValidationError",
        message: rest.message.join("; "),
        code: "VALIDATION_FAILED",
        problems: rest.message,
      });
      if (problems.length > 0) expect(result.problems).toEqual(problems);
    }
    const missing = await upsert({ externalId: "apt-5", files: [{ id: 2_000_000_000 }] });
    expect(missing).toEqual({ __typename: "FileNotFoundError", message: "File not found", code: "FILE_NOT_FOUND" });
    const [row] = await gateway.database.sql`select count(*)::int as n from listings where external_id = 'apt-5'`;
    expect(row?.n).toBe(0);
  });
});

describe("queries", () => {
  it("listing(id), node(id), Media.listings and the listings connection", async () => {
    const shared = await uploaded();
    const first = await upsert({ externalId: "q-1", files: [{ id: shared }] });
    const second = await upsert({ externalId: "q-2", files: [{ id: shared }] });
    const [firstId, secondId] = [first.listing.databaseId, second.listing.databaseId];

    const one = await graphql(
      gateway,
      key,
      `query($id: Int!) { listing(id: $id) { id ${LISTING_FIELDS} } missing: listing(id: 2000000000) { databaseId } }`,
      { id: firstId },
    );
    expect(one.errors).toBeUndefined();
    expect(one.data.missing).toBeNull();
    expect(one.data.listing).toMatchObject({ databaseId: firstId, externalId: "q-1", media: [{ databaseId: shared }] });
    const node = await graphql(gateway, key, `query($id: ID!) { node(id: $id) { ... on Listing { databaseId } } }`, {
      id: one.data.listing.id,
    });
    expect(node.data.node).toEqual({ databaseId: firstId });

    const media = await graphql(gateway, key, `query($id: Int!) { media(id: $id) { listings { databaseId } } }`, {
      id: shared,
    });
    expect(media.data.media.listings).toEqual([{ databaseId: secondId }, { databaseId: firstId }]);

    const page = await graphql(
      gateway,
      key,
      `{ listings(first: 1) { edges { cursor node { databaseId } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(page.data.listings.edges.map((edge: { node: unknown }) => edge.node)).toEqual([{ databaseId: secondId }]);
    expect(page.data.listings.pageInfo.hasNextPage).toBe(true);
    const next = await graphql(
      gateway,
      key,
      `query($after: String) { listings(first: 1, after: $after) { edges { node { databaseId } } } }`,
      {
        after: page.data.listings.pageInfo.endCursor,
      },
    );
    expect(next.data.listings.edges).toEqual([{ node: { databaseId: firstId } }]);
    const rest = await body(await gateway.request("/api/v1/listings?limit=1", { apiKey: key }));
    expect(rest.nextCursor).toBe(page.data.listings.pageInfo.endCursor);
  });

  it("bad arguments are VALIDATION_FAILED errors; a missing job is null", async () => {
    const bad = await graphql(gateway, key, "{ listings(first: 500) { edges { cursor } } }");
    expect(bad.errors?.[0]).toMatchObject({
      extensions: { code: "VALIDATION_FAILED", problems: ["first must be an integer from 1 to 100"] },
    });
    const badCursor = await graphql(gateway, key, '{ listings(after: "nope") { edges { cursor } } }');
    expect(badCursor.errors?.[0]?.extensions?.problems).toEqual(["cursor is invalid"]);
    const badId = await graphql(gateway, key, "{ listing(id: 0) { databaseId } }");
    expect(badId.errors?.[0]?.extensions?.code).toBe("VALIDATION_FAILED");
    const job = await graphql(gateway, key, "{ job(id: 2000000000) { databaseId } }");
    expect(job).toMatchObject({ errors: undefined, data: { job: null } });
  });
});

describe("deleteListing", () => {
  it("deletes (the files stay); again is ListingNotFoundError; a bad id is ValidationError", async () => {
    const file = await uploaded();
    const { listing } = await upsert({ externalId: "d-1", files: [{ id: file }] });
    const first = (await graphql(gateway, key, DELETE, { id: listing.databaseId })).data.deleteListing;
    expect(first.__typename).toBe("DeleteListingSuccess");
    const again = (await graphql(gateway, key, DELETE, { id: listing.databaseId })).data.deleteListing;
    expect(again).toEqual({
      __typename: "ListingNotFoundError",
      message: "Listing not found",
      code: "LISTING_NOT_FOUND",
    });
    const gone = await graphql(
      gateway,
      key,
      `{ listing(id: ${listing.databaseId}) { databaseId } media(id: ${file}) { listings { databaseId } } }`,
    );
    expect(gone.data).toEqual({ listing: null, media: { listings: [] } });
    const bad = (await graphql(gateway, key, DELETE, { id: 0 })).data.deleteListing;
    expect(bad).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED" });
  });
});

describe("linkListingExternalId and unlinkListingExternalId", () => {
  const LINK = `mutation($id: Int!, $externalId: String!) {
    linkListingExternalId(id: $id, externalId: $externalId) {
      ${ERROR_FIELDS}
      ... on LinkListingSuccess { listing { databaseId externalId } }
      ... on ExternalIdAlreadyLinkedError { listingId }
    }
  }`;
  const UNLINK = `mutation($id: Int!) {
    unlinkListingExternalId(id: $id) { ${ERROR_FIELDS} ... on UnlinkListingSuccess { externalId listing { externalId } } }
  }`;
  const link = async (id: number, externalId: string) =>
    (await graphql(gateway, key, LINK, { id, externalId })).data.linkListingExternalId;
  const unlink = async (id: number) => (await graphql(gateway, key, UNLINK, { id })).data.unlinkListingExternalId;

  it("follow REST's rules and messages", async () => {
    const first = (await upsert({ externalId: "link-a" })).listing.databaseId;
    const second = (await upsert({ externalId: "link-b" })).listing.databaseId;

    expect(await unlink(first)).toEqual({
      __typename: "UnlinkListingSuccess",
      externalId: "link-a",
      listing: { externalId: null },
    });
    expect(await unlink(first)).toEqual({
      __typename: "ListingHasNoExternalIdError",
      message: "Listing has no external ID",
      code: "LISTING_HAS_NO_EXTERNAL_ID",
    });
    expect(await link(first, "link-b")).toEqual({
      __typename: "ExternalIdAlreadyLinkedError",
      message: "External ID already linked",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      listingId: second,
    });
    expect(await link(first, "link-c")).toEqual({
      __typename: "LinkListingSuccess",
      listing: { databaseId: first, externalId: "link-c" },
    });
    // Idempotent with its own external ID; another one is refused.
    expect((await link(first, "link-c")).__typename).toBe("LinkListingSuccess");
    expect(await link(first, "link-d")).toEqual({
      __typename: "ListingAlreadyHasExternalIdError",
      message: "Listing already has external ID",
      code: "LISTING_ALREADY_HAS_EXTERNAL_ID",
    });
    expect(await link(first, " padded ")).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED" });
    expect(await link(2_000_000_000, "link-e")).toMatchObject({ __typename: "ListingNotFoundError" });
    expect(await unlink(0)).toMatchObject({ __typename: "ValidationError" });

    // REST sees the same state.
    const rest = await body(await gateway.request(`/api/v1/listings/${first}`, { apiKey: key }));
    expect(rest.externalId).toBe("link-c");
  });
});
