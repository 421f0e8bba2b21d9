import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { body, type Gateway, photo, startGateway, upload } from "../helpers.ts";
import { ERROR_FIELDS, graphql, subscribe } from "./client.ts";

let gateway: Gateway;
let ownerKey: string;
let strangerKey: string;
let fileId: number;
let globalId: string;

beforeAll(async () => {
  gateway = await startGateway();
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
