import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, expect, it } from "vitest";
import { graphql, graphqlUpload } from "./client.ts";

let gateway: Gateway;
let jpeg: Buffer;
let png: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  jpeg = await photo("Picture_1A_by_freespace.jpg");
  png = await photo("goldfish.png");
});
afterAll(() => gateway?.close());

/** What an agency holds: its files (REST objects, without ids and URLs), rows and queued jobs. */
async function stateOf(apiKey: string, agencyId: number) {
  const list = await body(await gateway.request("/api/v1/media?limit=100", { apiKey }));
  const { sql } = gateway.database;
  const rows = await sql`
    select external_id, size, content_type, sha256, optimization, generation from media
    where agency_id = ${agencyId} order by id`;
  const jobs = await sql`
    select t.identifier, j.payload::jsonb - 'mediaId' - 'originalKey' as payload,
      j.payload->>'originalKey' = (select original_key from media where id = (j.payload->>'mediaId')::int)
        as names_the_original
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = 'optimize_media' and (j.payload->>'mediaId')::int in
      (select id from media where agency_id = ${agencyId})
    order by j.id`;
  return {
    files: list.items.map(({ id, originalUrl, createdAt, ...rest }: Record<string, unknown>) => rest),
    rows: [...rows],
    jobs: [...jobs],
  };
}

it("one scenario through REST and through GraphQL ends in the same state, with the same refusals", async () => {
  // REST
  const rest = await gateway.createAgency("Through REST");
  const k1 = rest.apiKey;
  const r = {
    a: await body(await upload(gateway, k1, jpeg, "apt-1-photo-1")),
    b: await body(await upload(gateway, k1, png)),
    retry: (await upload(gateway, k1, jpeg, "apt-1-photo-1")).status,
    conflict: await body(await upload(gateway, k1, png, "apt-1-photo-1")),
  };
  const restLink = await body(
    await gateway.request(`/api/v1/media/${r.b.id}/link`, {
      method: "POST",
      ...json({ externalId: "apt-1-photo-2" }),
      apiKey: k1,
    }),
  );
  const restRelink = await body(
    await gateway.request(`/api/v1/media/${r.b.id}/link`, {
      method: "POST",
      ...json({ externalId: "apt-1-photo-3" }),
      apiKey: k1,
    }),
  );
  await gateway.request(`/api/v1/media/${r.a.id}/reoptimize`, { method: "POST", apiKey: k1 });
  await gateway.request(`/api/v1/media/${r.a.id}/link`, { method: "DELETE", apiKey: k1 });
  const restUnlinkAgain = await body(
    await gateway.request(`/api/v1/media/${r.a.id}/link`, { method: "DELETE", apiKey: k1 }),
  );
  const extra = await body(await upload(gateway, k1, Buffer.concat([png, Buffer.from("x")]), "to-delete"));
  await gateway.request("/api/v1/media/external/to-delete", { method: "DELETE", apiKey: k1 });
  const restDeleteAgain = await body(
    await gateway.request(`/api/v1/media/${extra.id}`, { method: "DELETE", apiKey: k1 }),
  );

  // GraphQL
  const gql = await gateway.createAgency("Through GraphQL");
  const k2 = gql.apiKey;
  const g = {
    a: (await graphqlUpload(gateway, k2, jpeg, { externalId: "apt-1-photo-1" })).data.uploadMedia,
    b: (await graphqlUpload(gateway, k2, png)).data.uploadMedia,
    retry: (await graphqlUpload(gateway, k2, jpeg, { externalId: "apt-1-photo-1" })).data.uploadMedia,
    conflict: (
      await graphqlUpload(gateway, k2, png, {
        externalId: "apt-1-photo-1",
        query: `mutation($file: File!, $externalId: String) { uploadMedia(file: $file, externalId: $externalId) {
          __typename ... on ExternalIdAlreadyLinkedError { message mediaId } } }`,
      })
    ).data.uploadMedia,
  };
  const [aId, bId] = [g.a.media.databaseId, g.b.media.databaseId];
  const link = `mutation($id: Int!, $e: String!) { linkMediaExternalId(id: $id, externalId: $e) {
    __typename ... on Error { message } } }`;
  const gqlLink = (await graphql(gateway, k2, link, { id: bId, e: "apt-1-photo-2" })).data.linkMediaExternalId;
  const gqlRelink = (await graphql(gateway, k2, link, { id: bId, e: "apt-1-photo-3" })).data.linkMediaExternalId;
  await graphql(gateway, k2, `mutation { reoptimizeMedia(id: ${aId}) { __typename } }`);
  await graphql(gateway, k2, `mutation { unlinkMediaExternalId(id: ${aId}) { __typename } }`);
  const gqlUnlinkAgain = (
    await graphql(gateway, k2, `mutation { unlinkMediaExternalId(id: ${aId}) { __typename ... on Error { message } } }`)
  ).data.unlinkMediaExternalId;
  const extraId = (
    await graphqlUpload(gateway, k2, Buffer.concat([png, Buffer.from("x")]), { externalId: "to-delete" })
  ).data.uploadMedia.media.databaseId;
  await graphql(gateway, k2, `mutation { deleteMedia(externalId: "to-delete") { __typename } }`);
  const gqlDeleteAgain = (
    await graphql(gateway, k2, `mutation { deleteMedia(id: ${extraId}) { __typename ... on Error { message } } }`)
  ).data.deleteMedia;

  // the same answers…
  expect([r.retry, g.retry.created]).toEqual([200, false]);
  expect(g.conflict).toEqual({ __typename: "ExternalIdAlreadyLinkedError", message: r.conflict.message, mediaId: aId });
  expect(r.conflict.mediaId).toBe(r.a.id);
  expect(restLink.linked).toBe(true);
  expect(gqlLink.__typename).toBe("LinkMediaSuccess");
  expect(gqlRelink).toEqual({ __typename: "FileAlreadyHasExternalIdError", message: restRelink.message });
  expect(gqlUnlinkAgain).toEqual({ __typename: "FileHasNoExternalIdError", message: restUnlinkAgain.message });
  expect(gqlDeleteAgain).toEqual({ __typename: "FileNotFoundError", message: restDeleteAgain.message });
  // …and the same state
  const [viaRest, viaGraphQL] = [await stateOf(k1, rest.agencyId), await stateOf(k2, gql.agencyId)];
  expect(viaRest.files).toHaveLength(2);
  expect(viaGraphQL).toEqual(viaRest);
});

it("a listing scenario through REST and through GraphQL ends in the same state, with the same refusals", async () => {
  const run = async (name: string, through: "rest" | "graphql") => {
    const { apiKey, agencyId } = await gateway.createAgency(name);
    const files: number[] = [];
    for (let i = 0; i < 3; i++) {
      const bytes = Buffer.concat([png, Buffer.from(`#${i}`)]);
      files.push((await body(await upload(gateway, apiKey, bytes, `apt-9-photo-${i}`))).id);
    }
    const upsert = async (input: Record<string, unknown>) => {
      if (through === "rest") {
        const response = await gateway.request("/api/v1/listings", { method: "PUT", apiKey, ...json(input) });
        const answer = await body(response);
        return response.ok ? { created: answer.created === true, id: answer.id } : { message: answer.message };
      }
      const status = input.status === undefined ? {} : { status: String(input.status).toUpperCase() };
      const { data } = await graphql(
        gateway,
        apiKey,
        `mutation($input: UpsertListingInput!) { upsertListing(input: $input) {
          __typename ... on UpsertListingSuccess { created listing { databaseId } }
          ... on ValidationError { problems } ... on Error { message } } }`,
        { input: { ...input, ...status } },
      );
      const result = data.upsertListing;
      if (result.__typename === "UpsertListingSuccess")
        return { created: result.created, id: result.listing.databaseId };
      return { message: result.problems ?? result.message };
    };
    const remove = async (id: number) => {
      if (through === "rest") {
        return (await body(await gateway.request(`/api/v1/listings/${id}`, { method: "DELETE", apiKey }))).message;
      }
      const { data } = await graphql(
        gateway,
        apiKey,
        `mutation { deleteListing(id: ${id}) { ... on Error { message } } }`,
      );
      return data.deleteListing.message;
    };
    const draft = await upsert({ externalId: "apt-9", title: "Draft", files: [{ id: files[0] }] });
    const active = await upsert({
      externalId: "apt-9",
      title: "Live",
      status: "active",
      files: [{ externalFileId: "apt-9-photo-2" }, { id: files[1] }, { id: files[0] }],
    });
    const tooFew = await upsert({ externalId: "apt-9", status: "active", files: [{ id: files[0] }] });
    const missing = await upsert({ externalId: "apt-9", files: [{ externalFileId: "nope" }] });
    const other = await upsert({ externalId: "apt-10" });
    if (other.id === undefined) throw new Error("apt-10 was not created");
    const deleted = await remove(other.id);
    const deletedAgain = await remove(other.id);
    const listings = await body(await gateway.request("/api/v1/listings", { apiKey }));
    const jobs = await gateway.database.sql`
      select type, status, result_data, public_error_message from client_jobs where agency_id = ${agencyId} order by id`;
    return {
      answers: [draft.created, active.created, tooFew, missing, other.created, deleted, deletedAgain],
      listings: listings.items.map(({ id, createdAt, updatedAt, files: f, ...rest }: Record<string, unknown>) => ({
        ...rest,
        files: (f as { externalId: string; optimization: string }[]).map(({ externalId, optimization }) => ({
          externalId,
          optimization,
        })),
      })),
      jobs: [...jobs],
    };
  };
  const viaRest = await run("Listings through REST", "rest");
  const viaGraphQL = await run("Listings through GraphQL", "graphql");
  expect(viaRest.answers).toEqual([
    true,
    false,
    { message: ["an active listing needs at least 3 files"] },
    { message: "File not found" },
    true,
    undefined,
    "Listing not found",
  ]);
  expect(viaRest.listings).toHaveLength(1);
  expect(viaRest.jobs).toHaveLength(1);
  expect(viaGraphQL).toEqual(viaRest);
});
