import { body, type Gateway, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema/index.ts";
import { ERROR_FIELDS, graphql, subscribe } from "./client.ts";

let gateway: Gateway;
let ownerKey: string;
let strangerKey: string;
let fileId: number;
let globalId: string;

beforeAll(async () => {
  gateway = await startGateway({ OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
  ownerKey = (await gateway.createAgency("Owner")).apiKey;
  strangerKey = (await gateway.createAgency("Stranger")).apiKey;
  const created = await upload(gateway, ownerKey, await photo("Picture_1A_by_freespace.jpg"), "owner-only-1");
  fileId = (await body(created)).id;
  globalId = (await graphql(gateway, ownerKey, `{ media(id: ${fileId}) { id } }`)).data.media.id;
});
afterAll(() => gateway?.close());

describe("another agency's file", () => {
  it("is null to every query, and absent from every list", async () => {
    const { data, errors } = await graphql(
      gateway,
      strangerKey,
      `query($id: Int!, $globalId: ID!) {
        media(id: $id) { databaseId }
        mediaByExternalId(externalId: "owner-only-1") { databaseId }
        node(id: $globalId) { id }
        medias(first: 100) { edges { node { databaseId } } }
      }`,
      { id: fileId, globalId },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ media: null, mediaByExternalId: null, node: null, medias: { edges: [] } });
  });

  it("is FileNotFoundError to every mutation, and is left untouched", async () => {
    const mutations: [string, string, Record<string, unknown>][] = [
      ["linkMediaExternalId", `linkMediaExternalId(id: $id, externalId: "stolen")`, { id: fileId }],
      ["unlinkMediaExternalId", "unlinkMediaExternalId(id: $id)", { id: fileId }],
      ["reoptimizeMedia", "reoptimizeMedia(id: $id)", { id: fileId }],
      ["deleteMedia", "deleteMedia(id: $id)", { id: fileId }],
      ["deleteMedia", `deleteMedia(externalId: $externalId)`, { externalId: "owner-only-1" }],
    ];
    for (const [name, call, variables] of mutations) {
      const declared = "id" in variables ? "$id: Int!" : "$externalId: String!";
      const response = await graphql(
        gateway,
        strangerKey,
        `mutation(${declared}) { ${call} { ${ERROR_FIELDS} } }`,
        variables,
      );
      expect({ call, result: response.data?.[name] }).toEqual({
        call,
        result: { __typename: "FileNotFoundError", message: "File not found", code: "FILE_NOT_FOUND" },
      });
    }
    const still = await graphql(gateway, ownerKey, `{ media(id: ${fileId}) { externalId optimization } }`);
    expect(still.data.media).toEqual({ externalId: "owner-only-1", optimization: "PENDING" });
    const [row] = await gateway.database.sql`select generation from media where id = ${fileId}`;
    expect(row?.generation).toBe(1);
  });

  it("cannot be watched: the subscription answers FILE_NOT_FOUND, as for a missing file", async () => {
    const stream = await subscribe(
      gateway,
      strangerKey,
      `subscription($id: Int!) { mediaUpdated(id: $id) { databaseId } }`,
      {
        id: fileId,
      },
    );
    const event = await stream.next();
    expect(event).toMatchObject({ errors: [{ message: "File not found", extensions: { code: "FILE_NOT_FOUND" } }] });
    expect(event.data ?? null).toBeNull();
    expect(await stream.next()).toBeUndefined(); // complete
  });

  it("the same external ID in two agencies names two different files", async () => {
    const png = await photo("goldfish.png");
    const theirs = await body(await upload(gateway, strangerKey, png, "owner-only-1"));
    const { data } = await graphql(
      gateway,
      strangerKey,
      '{ mediaByExternalId(externalId: "owner-only-1") { databaseId } }',
    );
    expect(data.mediaByExternalId.databaseId).toBe(theirs.id);
    expect(theirs.id).not.toBe(fileId);
  });
});

describe("another agency's listings, jobs and uploads", () => {
  let listing: { databaseId: number; id: string };
  let publishJobId: number;
  let importJobId: number;
  let importedId: number;
  let pendingUploadId: number;
  const importUrl = "http://127.0.0.1:9/owner.jpg"; // never fetched by the gateway

  beforeAll(async () => {
    const files = [fileId];
    for (const name of ["goldfish.png", "Picture_1A_by_freespace.jpg"]) {
      const bytes = Buffer.concat([await photo(name), Buffer.from("owner")]);
      files.push((await body(await upload(gateway, ownerKey, bytes))).id);
    }
    const upserted = await graphql(
      gateway,
      ownerKey,
      `mutation($input: UpsertListingInput!) { upsertListing(input: $input) {
        ... on UpsertListingSuccess { jobId listing { id databaseId } } } }`,
      {
        input: { externalId: "owner-listing", title: "Owner's", status: "ACTIVE", files: files.map((id) => ({ id })) },
      },
    );
    ({ listing, jobId: publishJobId } = upserted.data.upsertListing);
    const imported = await graphql(
      gateway,
      ownerKey,
      `mutation { importMediaFromUrl(url: "${importUrl}", externalId: "owner-import") {
        ... on ImportMediaSuccess { jobId media { databaseId } } } }`,
    );
    ({ jobId: importJobId } = imported.data.importMediaFromUrl);
    importedId = imported.data.importMediaFromUrl.media.databaseId;
    const signed = await graphql(
      gateway,
      ownerKey,
      `mutation { createUploadUrl(contentType: "image/jpeg", size: 100, externalId: "owner-direct") {
        ... on CreateUploadUrlSuccess { mediaId } } }`,
    );
    pendingUploadId = signed.data.createUploadUrl.mediaId;
    expect([publishJobId, importJobId, pendingUploadId].every(Number.isInteger)).toBe(true);
  });

  it("are null to every query, and absent from every list", async () => {
    const jobGlobalId = Buffer.from(`Job:${publishJobId}`).toString("base64");
    const { data, errors } = await graphql(
      gateway,
      strangerKey,
      `query($listing: Int!, $listingGlobalId: ID!, $publishJob: Int!, $importJob: Int!, $jobGlobalId: ID!) {
        listing(id: $listing) { databaseId }
        listings(first: 100) { edges { node { databaseId } } }
        listingNode: node(id: $listingGlobalId) { id }
        publishJob: job(id: $publishJob) { databaseId }
        importJob: job(id: $importJob) { databaseId }
        jobNode: node(id: $jobGlobalId) { id }
      }`,
      {
        listing: listing.databaseId,
        listingGlobalId: listing.id,
        publishJob: publishJobId,
        importJob: importJobId,
        jobGlobalId,
      },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      listing: null,
      listings: { edges: [] },
      listingNode: null,
      publishJob: null,
      importJob: null,
      jobNode: null,
    });
  });

  it("is a NotFound error member to every mutation, and is left untouched", async () => {
    const deleted = await graphql(
      gateway,
      strangerKey,
      `mutation($id: Int!) { deleteListing(id: $id) { ${ERROR_FIELDS} } }`,
      { id: listing.databaseId },
    );
    expect(deleted.data.deleteListing).toEqual({
      __typename: "ListingNotFoundError",
      message: "Listing not found",
      code: "LISTING_NOT_FOUND",
    });
    for (const [name, call] of [
      ["linkListingExternalId", `linkListingExternalId(id: $id, externalId: "stolen-listing")`],
      ["unlinkListingExternalId", "unlinkListingExternalId(id: $id)"],
    ] as const) {
      const response = await graphql(gateway, strangerKey, `mutation($id: Int!) { ${call} { ${ERROR_FIELDS} } }`, {
        id: listing.databaseId,
      });
      expect({ call, result: response.data?.[name] }).toEqual({
        call,
        result: { __typename: "ListingNotFoundError", message: "Listing not found", code: "LISTING_NOT_FOUND" },
      });
    }
    const UPSERT = `mutation($input: UpsertListingInput!) { upsertListing(input: $input) {
      ${ERROR_FIELDS} ... on UpsertListingSuccess { created listing { databaseId title media { databaseId } } } } }`;
    for (const files of [[{ id: fileId }], [{ externalFileId: "owner-import" }], [{ id: importedId }]]) {
      const stolen = await graphql(gateway, strangerKey, UPSERT, { input: { externalId: "stolen", files } });
      expect(stolen.data.upsertListing).toEqual({
        __typename: "FileNotFoundError",
        message: "File not found",
        code: "FILE_NOT_FOUND",
      });
    }
    // the owner's external ID names the stranger's own, new listing
    const own = await graphql(gateway, strangerKey, UPSERT, { input: { externalId: "owner-listing", title: "Mine" } });
    expect(own.data.upsertListing).toMatchObject({ created: true, listing: { title: "Mine", media: [] } });
    expect(own.data.upsertListing.listing.databaseId).not.toBe(listing.databaseId);

    const completed = await graphql(
      gateway,
      strangerKey,
      `mutation($id: Int!) { completeUpload(id: $id) { ${ERROR_FIELDS} } }`,
      { id: pendingUploadId },
    );
    expect(completed.data.completeUpload).toEqual({
      __typename: "FileNotFoundError",
      message: "File not found",
      code: "FILE_NOT_FOUND",
    });
    // the owner's URL and external ID import a file of the stranger's own
    const imported = await graphql(
      gateway,
      strangerKey,
      `mutation { importMediaFromUrl(url: "${importUrl}", externalId: "owner-import") {
        ${ERROR_FIELDS} ... on ImportMediaSuccess { created media { databaseId } } } }`,
    );
    expect(imported.data.importMediaFromUrl).toMatchObject({ __typename: "ImportMediaSuccess", created: true });
    expect(imported.data.importMediaFromUrl.media.databaseId).not.toBe(importedId);
    const signed = await graphql(
      gateway,
      strangerKey,
      `mutation { createUploadUrl(contentType: "image/jpeg", size: 100, externalId: "owner-direct") { __typename } }`,
    );
    expect(signed.data.createUploadUrl.__typename).toBe("CreateUploadUrlSuccess");

    const still = await graphql(
      gateway,
      ownerKey,
      `query($id: Int!) { listing(id: $id) { title status externalId media { databaseId } } }`,
      { id: listing.databaseId },
    );
    expect(still.data.listing).toMatchObject({
      title: "Owner's",
      status: "PENDING_ACTIVE",
      externalId: "owner-listing",
    });
    expect(still.data.listing.media).toHaveLength(3);
    const [pending] = await gateway.database
      .sql`select agency_id from pending_uploads where media_id = ${pendingUploadId}`;
    expect(pending).toBeDefined();
  });

  it("a file's listings are only ever the caller's", async () => {
    const { data } = await graphql(gateway, ownerKey, `{ media(id: ${fileId}) { listings { databaseId } } }`);
    expect(data.media.listings).toEqual([{ databaseId: listing.databaseId }]);
  });
});

/**
 * Every root field of the schema, with where its isolation is shown: a field added without an entry
 * fails here, so a new query or mutation cannot forget another agency's ids.
 */
const ROOT_FIELDS: Record<string, string> = {
  "Query.node": "another agency's file, listing and job: null",
  "Query.media": "another agency's file: null",
  "Query.mediaByExternalId": "another agency's file: null",
  "Query.medias": "another agency's file: absent",
  "Query.listing": "another agency's listing: null",
  "Query.listings": "another agency's listing: absent",
  "Query.job": "another agency's jobs: null",
  "Query.agency": "the caller's own agency, from the key (auth.test.ts)",
  "Mutation.uploadMedia": "creates a file of the caller's agency; another's external ID is free (upload.test.ts)",
  "Mutation.importMediaFromUrl": "another agency's URL and external ID import a file of the caller's own",
  "Mutation.createUploadUrl": "another agency's external ID signs an upload of the caller's own",
  "Mutation.completeUpload": "another agency's pending upload: FileNotFoundError",
  "Mutation.deleteMedia": "another agency's file, by id and external ID: FileNotFoundError",
  "Mutation.linkMediaExternalId": "another agency's file: FileNotFoundError",
  "Mutation.unlinkMediaExternalId": "another agency's file: FileNotFoundError",
  "Mutation.reoptimizeMedia": "another agency's file: FileNotFoundError",
  "Mutation.upsertListing": "another agency's files: FileNotFoundError; its listing external ID names a new listing",
  "Mutation.deleteListing": "another agency's listing: ListingNotFoundError",
  "Mutation.linkListingExternalId": "another agency's listing: ListingNotFoundError",
  "Mutation.unlinkListingExternalId": "another agency's listing: ListingNotFoundError",
  "Subscription.mediaUpdated": "another agency's file: FILE_NOT_FOUND before any event",
};

describe("the audit of root fields", () => {
  it("names every query, mutation and subscription of the schema", () => {
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : [],
    );
    expect(fields.sort()).toEqual(Object.keys(ROOT_FIELDS).sort());
  });
});
