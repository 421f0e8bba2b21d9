import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { body, type Gateway, json, photo, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_FIELDS, graphql } from "./client.ts";

/** A local source of files for imports, on 127.0.0.1 (allowed through OUTBOUND_ALLOW_HOSTS). */
let source: Server;
let sourceUrl: string;
let gateway: Gateway;
let key: string;
let jpeg: Buffer;

const MAX_UPLOAD_BYTES = 2_000_000;

beforeAll(async () => {
  jpeg = await photo("Picture_1A_by_freespace.jpg");
  source = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "image/jpeg" }).end(jpeg);
  });
  await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
  gateway = await startGateway({ OUTBOUND_ALLOW_HOSTS: "127.0.0.1", MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
  key = (await gateway.createAgency("Ingest")).apiKey;
});
afterAll(async () => {
  await gateway?.close();
  source?.closeAllConnections();
  await new Promise((resolve) => source?.close(resolve));
});

const IMPORT = `mutation($url: String!, $externalId: String) {
  importMediaFromUrl(url: $url, externalId: $externalId) {
    ${ERROR_FIELDS}
    ... on ExternalIdAlreadyLinkedError { mediaId }
    ... on ImportMediaSuccess { created jobId media { databaseId externalId size contentType optimization fileName } }
  }
}`;
const CREATE_URL = `mutation($contentType: String!, $size: Int!, $externalId: String, $fileName: String) {
  createUploadUrl(contentType: $contentType, size: $size, externalId: $externalId, fileName: $fileName) {
    ${ERROR_FIELDS}
    ... on ExternalIdAlreadyLinkedError { holderId: mediaId }
    ... on CreateUploadUrlSuccess { mediaId uploadUrl method headers { name value } expiresAt }
  }
}`;
const COMPLETE = `mutation($id: Int!) {
  completeUpload(id: $id) {
    ${ERROR_FIELDS}
    ... on CompleteUploadSuccess { media { databaseId externalId size contentType optimization fileName } }
  }
}`;

/** The one field of a mutation's answer, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions inspect arbitrary JSON
async function call(query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await graphql(gateway, key, query, variables);
  expect(response.errors).toBeUndefined();
  return Object.values(response.data)[0];
}

describe("importMediaFromUrl", () => {
  it("queues the import with its job; the same URL and external ID again answers the file with jobId null", async () => {
    const url = `${sourceUrl}/photo.jpg`;
    const first = await call(IMPORT, { url, externalId: "imported-1" });
    expect(first).toMatchObject({
      __typename: "ImportMediaSuccess",
      created: true,
      jobId: expect.any(Number),
      media: {
        externalId: "imported-1",
        size: 0,
        contentType: "application/octet-stream",
        optimization: "PENDING",
        fileName: "photo.jpg",
      },
    });
    const job = await graphql(gateway, key, `query($id: Int!) { job(id: $id) { type status resultData } }`, {
      id: first.jobId,
    });
    expect(job.data.job).toEqual({ type: "import_media", status: "PENDING", resultData: null });

    const again = await call(IMPORT, { url, externalId: "imported-1" });
    expect(again).toEqual({ ...first, created: false, jobId: null });

    const other = await call(IMPORT, { url: `${sourceUrl}/other.jpg`, externalId: "imported-1" });
    expect(other).toEqual({
      __typename: "ExternalIdAlreadyLinkedError",
      message: "External ID already linked",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      mediaId: first.media.databaseId,
    });
  });

  it("refuses what REST refuses, with its messages", async () => {
    for (const input of [{ url: "ftp://example.com/a.jpg" }, { url: "http://10.0.0.1/a.jpg" }, { url: "nope" }]) {
      const result = await call(IMPORT, input);
      const rest = await body(
        await gateway.request("/api/v1/media/upload-from-url", { method: "POST", apiKey: key, ...json(input) }),
      );
      expect(result).toEqual({
        __typename: "ValidationError",
        message: rest.message.join("; "),
        code: "VALIDATION_FAILED",
        problems: rest.message,
      });
    }
  });

  it("upsertListing imports a {url, externalFileId} file in the listing's transaction", async () => {
    const response = await graphql(
      gateway,
      key,
      `mutation($input: UpsertListingInput!) { upsertListing(input: $input) {
        ${ERROR_FIELDS} ... on UpsertListingSuccess { listing { media { externalId optimization size } } } } }`,
      {
        input: { externalId: "imported-listing", files: [{ url: `${sourceUrl}/l.jpg`, externalFileId: "l-photo-1" }] },
      },
    );
    expect(response.data.upsertListing).toEqual({
      __typename: "UpsertListingSuccess",
      listing: { media: [{ externalId: "l-photo-1", optimization: "PENDING", size: 0 }] },
    });
  });
});

describe("createUploadUrl and completeUpload", () => {
  it("signs, the client PUTs the bytes, completeUpload makes the file visible (twice: the same file)", async () => {
    const signed = await call(CREATE_URL, {
      contentType: "image/jpeg",
      size: jpeg.length,
      externalId: "direct-1",
      fileName: "  Living room.jpg ",
    });
    expect(signed).toMatchObject({
      __typename: "CreateUploadUrlSuccess",
      mediaId: expect.any(Number),
      method: "PUT",
      headers: [{ name: "Content-Type", value: "image/jpeg" }],
    });
    expect(new Date(signed.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const invisible = await graphql(gateway, key, `{ media(id: ${signed.mediaId}) { databaseId } }`);
    expect(invisible.data.media).toBeNull();

    const early = await call(COMPLETE, { id: signed.mediaId });
    expect(early).toMatchObject({
      __typename: "ValidationError",
      problems: ["the file has not been uploaded to uploadUrl yet"],
    });
    const headers = Object.fromEntries(
      (signed.headers as { name: string; value: string }[]).map(({ name, value }) => [name, value]),
    );
    const put = await fetch(signed.uploadUrl, { method: "PUT", headers, body: new Uint8Array(jpeg) });
    expect(put.ok).toBe(true);
    const completed = await call(COMPLETE, { id: signed.mediaId });
    const media = {
      databaseId: signed.mediaId,
      externalId: "direct-1",
      size: jpeg.length,
      contentType: "image/jpeg",
      optimization: "PENDING",
      fileName: "Living room.jpg",
    };
    expect(completed).toEqual({ __typename: "CompleteUploadSuccess", media });
    expect(await call(COMPLETE, { id: signed.mediaId })).toEqual({ __typename: "CompleteUploadSuccess", media });

    const taken = await call(CREATE_URL, { contentType: "image/jpeg", size: 10, externalId: "direct-1" });
    expect(taken).toEqual({
      __typename: "ExternalIdAlreadyLinkedError",
      message: "External ID already linked",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      holderId: signed.mediaId,
    });
  });

  it("refuses a wrong type, a size over the limit, bytes that are not an image and an unknown id", async () => {
    const wrongType = await call(CREATE_URL, { contentType: "text/html", size: 10 });
    expect(wrongType).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED" });
    expect(wrongType.problems[0]).toMatch(/^contentType must be one of /);
    expect(await call(CREATE_URL, { contentType: "image/png", size: MAX_UPLOAD_BYTES + 1 })).toEqual({
      __typename: "FileTooLargeError",
      message: "File too large",
      code: "FILE_TOO_LARGE",
    });

    const html = Buffer.from("<html><body>not an image</body></html>");
    const signed = await call(CREATE_URL, { contentType: "image/jpeg", size: html.length });
    await fetch(signed.uploadUrl, { method: "PUT", headers: { "Content-Type": "image/jpeg" }, body: html });
    expect(await call(COMPLETE, { id: signed.mediaId })).toEqual({
      __typename: "UnsupportedFileTypeError",
      message: "Unsupported file type",
      code: "UNSUPPORTED_FILE_TYPE",
    });
    expect(await call(COMPLETE, { id: 2_000_000_000 })).toEqual({
      __typename: "FileNotFoundError",
      message: "File not found",
      code: "FILE_NOT_FOUND",
    });
  });
});
