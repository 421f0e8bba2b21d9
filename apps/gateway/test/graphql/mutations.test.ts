import { body, distinctCopy, type Gateway, photo, startGateway, upload, uploadedId } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_FIELDS, graphql } from "./client.ts";

let gateway: Gateway;
let key: string;
let png: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Rentix")).apiKey;
  png = await photo("goldfish.png");
});
afterAll(() => gateway?.close());

const uploaded = (externalId?: string) => uploadedId(gateway, key, distinctCopy(png), externalId);

async function jobs(task: string) {
  return gateway.database.sql<{ payload: Record<string, unknown> }[]>`
    select j.payload from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = ${task} order by j.id`;
}

const LINK = `mutation($id: Int!, $externalId: String!) {
  linkMediaExternalId(id: $id, externalId: $externalId) {
    ${ERROR_FIELDS}
    ... on ExternalIdAlreadyLinkedError { mediaId }
    ... on LinkMediaSuccess { media { databaseId externalId } }
  }
}`;
const UNLINK = `mutation($id: Int!) {
  unlinkMediaExternalId(id: $id) {
    ${ERROR_FIELDS}
    ... on UnlinkMediaSuccess { externalId media { databaseId externalId } }
  }
}`;
const DELETE = `mutation($id: Int, $externalId: String) {
  deleteMedia(id: $id, externalId: $externalId) {
    ${ERROR_FIELDS}
    ... on DeleteMediaSuccess { mediaId deletedId }
  }
}`;
const REOPTIMIZE = `mutation($id: Int!) {
  reoptimizeMedia(id: $id) {
    ${ERROR_FIELDS}
    ... on ReoptimizeMediaSuccess { media { databaseId optimization variants { url } } }
  }
}`;

const fileNotFound = { __typename: "FileNotFoundError", message: "File not found", code: "FILE_NOT_FOUND" };

describe("linkMediaExternalId", () => {
  it("links, and linking the same external ID again is idempotent", async () => {
    const id = await uploaded();
    for (let i = 0; i < 2; i++) {
      const { status, data } = await graphql(gateway, key, LINK, { id, externalId: "apt-100-photo-1" });
      expect(status).toBe(200);
      expect(data.linkMediaExternalId).toEqual({
        __typename: "LinkMediaSuccess",
        media: { databaseId: id, externalId: "apt-100-photo-1" },
      });
    }
    const rest = await body(await gateway.request(`/api/v1/media/${id}`, { apiKey: key }));
    expect(rest.externalId).toBe("apt-100-photo-1");
  });

  it("an external ID another file carries is ExternalIdAlreadyLinkedError with the holder's mediaId", async () => {
    const holder = await uploaded("apt-101-photo-1");
    const id = await uploaded();
    const { data } = await graphql(gateway, key, LINK, { id, externalId: "apt-101-photo-1" });
    expect(data.linkMediaExternalId).toEqual({
      __typename: "ExternalIdAlreadyLinkedError",
      message: "External ID already linked",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      mediaId: holder,
    });
  });

  it("a file carrying another external ID is FileAlreadyHasExternalIdError", async () => {
    const id = await uploaded("apt-102-photo-1");
    const { data } = await graphql(gateway, key, LINK, { id, externalId: "apt-102-photo-2" });
    expect(data.linkMediaExternalId).toEqual({
      __typename: "FileAlreadyHasExternalIdError",
      message: "File already has external ID",
      code: "FILE_ALREADY_HAS_EXTERNAL_ID",
    });
  });

  it("a missing file is FileNotFoundError; bad input is ValidationError with REST's problems", async () => {
    expect((await graphql(gateway, key, LINK, { id: 999_999, externalId: "x" })).data.linkMediaExternalId).toEqual(
      fileNotFound,
    );
    const id = await uploaded();
    const bad = await graphql(gateway, key, LINK, { id, externalId: " x\u0007" });
    expect(bad.data.linkMediaExternalId).toEqual({
      __typename: "ValidationError",
      message: "externalId must not contain control characters; externalId must not have leading or trailing spaces",
      code: "VALIDATION_FAILED",
      problems: [
        "externalId must not contain control characters",
        "externalId must not have leading or trailing spaces",
      ],
    });
    const restBad = await gateway.request(`/api/v1/media/${id}/link`, {
      method: "POST",
      apiKey: key,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ externalId: " x\u0007" }),
    });
    expect((await body(restBad)).message).toEqual(bad.data.linkMediaExternalId.problems);
    const badId = await graphql(gateway, key, LINK, { id: 0, externalId: "x" });
    expect(badId.data.linkMediaExternalId).toMatchObject({
      __typename: "ValidationError",
      problems: ["id must be a positive integer"],
    });
  });
});

describe("unlinkMediaExternalId", () => {
  it("frees the external ID and names it", async () => {
    const id = await uploaded("apt-110-photo-1");
    const { data } = await graphql(gateway, key, UNLINK, { id });
    expect(data.unlinkMediaExternalId).toEqual({
      __typename: "UnlinkMediaSuccess",
      externalId: "apt-110-photo-1",
      media: { databaseId: id, externalId: null },
    });
    expect((await upload(gateway, key, png, "apt-110-photo-1")).status).toBe(201);
  });

  it("a file without an external ID is FileHasNoExternalIdError; a missing one FileNotFoundError", async () => {
    const id = await uploaded();
    expect((await graphql(gateway, key, UNLINK, { id })).data.unlinkMediaExternalId).toEqual({
      __typename: "FileHasNoExternalIdError",
      message: "File has no external ID",
      code: "FILE_HAS_NO_EXTERNAL_ID",
    });
    expect((await graphql(gateway, key, UNLINK, { id: 999_999 })).data.unlinkMediaExternalId).toEqual(fileNotFound);
  });
});

describe("deleteMedia", () => {
  it("by id: the file is gone, its external ID free, the removal of its objects queued", async () => {
    const id = await uploaded("apt-120-photo-1");
    const { data: before } = await graphql(gateway, key, `{ media(id: ${id}) { id } }`);
    const { data } = await graphql(gateway, key, DELETE, { id });
    expect(data.deleteMedia).toEqual({ __typename: "DeleteMediaSuccess", mediaId: id, deletedId: before.media.id });
    expect((await gateway.request(`/api/v1/media/${id}`, { apiKey: key })).status).toBe(404);
    expect((await jobs("remove_objects")).map((job) => job.payload)).toContainEqual({
      prefixes: [expect.stringMatching(/^m\//)],
    });
    expect((await upload(gateway, key, png, "apt-120-photo-1")).status).toBe(201);
  });

  it("by external ID", async () => {
    const id = await uploaded("apt-121-photo-1");
    const { data } = await graphql(gateway, key, DELETE, { externalId: "apt-121-photo-1" });
    expect(data.deleteMedia).toMatchObject({ __typename: "DeleteMediaSuccess", mediaId: id });
  });

  it("a missing file is FileNotFoundError; neither or both selectors is ValidationError", async () => {
    expect((await graphql(gateway, key, DELETE, { id: 999_999 })).data.deleteMedia).toEqual(fileNotFound);
    expect((await graphql(gateway, key, DELETE, { externalId: "never-there" })).data.deleteMedia).toEqual(fileNotFound);
    for (const variables of [{}, { id: 1, externalId: "x" }]) {
      expect((await graphql(gateway, key, DELETE, variables)).data.deleteMedia).toEqual({
        __typename: "ValidationError",
        message: "exactly one of id and externalId must be given",
        code: "VALIDATION_FAILED",
        problems: ["exactly one of id and externalId must be given"],
      });
    }
  });

  it("parallel deletes of one file give one success and FileNotFoundErrors", async () => {
    const id = await uploaded();
    const results = await Promise.all(Array.from({ length: 5 }, () => graphql(gateway, key, DELETE, { id })));
    expect(results.map((r) => r.data.deleteMedia.__typename).sort()).toEqual([
      "DeleteMediaSuccess",
      "FileNotFoundError",
      "FileNotFoundError",
      "FileNotFoundError",
      "FileNotFoundError",
    ]);
  });
});

describe("reoptimizeMedia", () => {
  it("queues the optimization again (generation 2) and answers the file as pending", async () => {
    const id = await uploaded();
    await gateway.database.sql`update media set optimization = 'failed', optimization_error = 'boom' where id = ${id}`;
    const { data } = await graphql(gateway, key, REOPTIMIZE, { id });
    expect(data.reoptimizeMedia).toEqual({
      __typename: "ReoptimizeMediaSuccess",
      media: { databaseId: id, optimization: "PENDING", variants: [] },
    });
    expect((await jobs("optimize_media")).map((job) => job.payload)).toContainEqual({
      mediaId: id,
      generation: 2,
      originalKey: expect.stringMatching(/^m\/[\w-]+\/original\.png$/),
    });
  });

  it("a missing file is FileNotFoundError", async () => {
    expect((await graphql(gateway, key, REOPTIMIZE, { id: 999_999 })).data.reoptimizeMedia).toEqual(fileNotFound);
  });
});

describe("one operation", () => {
  it("mutations run in order, and each answers the file as it is after it", async () => {
    const id = await uploaded();
    const { data, errors } = await graphql(
      gateway,
      key,
      `mutation($id: Int!) {
        before: reoptimizeMedia(id: $id) { ... on ReoptimizeMediaSuccess { media { externalId } } }
        link: linkMediaExternalId(id: $id, externalId: "apt-130-photo-1") {
          ... on LinkMediaSuccess { media { externalId } }
        }
        unlink: unlinkMediaExternalId(id: $id) { ... on UnlinkMediaSuccess { media { externalId } } }
        relink: linkMediaExternalId(id: $id, externalId: "apt-130-photo-2") {
          ... on LinkMediaSuccess { media { externalId } }
        }
      }`,
      { id },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      before: { media: { externalId: null } },
      link: { media: { externalId: "apt-130-photo-1" } },
      unlink: { media: { externalId: null } },
      relink: { media: { externalId: "apt-130-photo-2" } },
    });
  });
});
