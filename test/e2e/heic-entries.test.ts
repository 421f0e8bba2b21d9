import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { body, type Gateway, json, startGateway, upload } from "@darkroom/testing/gateway";
import { psnrAgainstLibheif, withDeclaredSize } from "@darkroom/testing/heic";
import { heicFixture, startOptimizerBeside, waitFor } from "@darkroom/testing/optimizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../apps/optimizer/src/worker.ts";

/**
 * HEIC through every way in, with the optimizer running beside the gateway: a phone's 4032x3024
 * photo by REST and by GraphQL, and a small HEIC by URL import, signed direct upload, bulk and a
 * listing's URL entry.
 */
let source: Server;
let sourceUrl: string;
let gateway: Gateway;
let optimizer: Optimizer;
let apiKey: string;
let phone: Buffer;
let small: Buffer;

beforeAll(async () => {
  [phone, small] = await Promise.all([heicFixture("seeding-4032x3024.heic"), heicFixture("sunset-corner.heic")]);
  source = createServer((request, response) => {
    if (new URL(request.url ?? "/", "http://x").pathname.endsWith(".HEIC"))
      response.writeHead(200, { "Content-Type": "image/heic" }).end(small);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
  gateway = await startGateway({ OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
  apiKey = (await gateway.createAgency("Phones")).apiKey;
  optimizer = await startOptimizerBeside(gateway, { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
});

afterAll(async () => {
  await optimizer?.stop();
  await gateway?.close();
  source?.closeAllConnections();
  await new Promise((resolve) => source?.close(resolve));
});

interface Variant {
  url: string;
  variantSize: string;
  width: number;
  height: number;
}

function post(route: string, payload: unknown) {
  return gateway.request(`/api/v1${route}`, { method: "POST", ...json(payload), apiKey });
}

/** The REST media object once its optimization is over. */
function settled(id: number) {
  return waitFor(
    `media ${id} to finish optimizing`,
    async () => {
      const media = await body(await gateway.request(`/api/v1/media/${id}`, { apiKey }));
      return media.optimization === "success" || media.optimization === "failed" ? media : undefined;
    },
    { timeoutMs: 90_000 },
  );
}

/** A phone photo's variants: three WebP at the 4:3 sizes, the 1024 one ≥ 30 dB from libheif's own decode. */
async function expectPhoneVariants(media: { width: number; height: number; variants: Variant[] }) {
  expect(media.variants.map((v) => [v.variantSize, v.width, v.height])).toEqual([
    ["128", 128, 96],
    ["512", 512, 384],
    ["1024", 1024, 768],
  ]);
  for (const variant of media.variants) {
    const response = await fetch(variant.url);
    expect(response.headers.get("content-type")).toBe("image/webp");
  }
  const largest = Buffer.from(await (await fetch(media.variants[2]?.url as string)).arrayBuffer());
  const against = await psnrAgainstLibheif(phone, largest);
  expect([media.width, media.height]).toEqual([against.decodedWidth, against.decodedHeight]);
  expect(against.psnr).toBeGreaterThanOrEqual(30);
}

/** The file a small HEIC became, once settled: success, typed image/heic, at the fixture's size. */
async function expectSmallHeicOptimized(id: number) {
  const media = await settled(id);
  expect(media).toMatchObject({
    optimization: "success",
    optimizationError: null,
    contentType: "image/heic",
    width: 480,
    height: 320,
  });
  expect(media.variants).toHaveLength(3);
  return media;
}

describe("a phone's 4032x3024 HEIC", () => {
  it("by REST: success, three WebP variants, libheif's size, the 1024 variant ≥ 30 dB; named as uploaded", async () => {
    const response = await upload(gateway, apiKey, phone, undefined, "IMG_4032.HEIC");
    expect(response.status).toBe(201);
    const queued = await body(response);
    expect(queued).toMatchObject({ contentType: "image/heic", fileName: "IMG_4032.HEIC" });
    const media = await settled(queued.id);
    expect(media).toMatchObject({ optimization: "success", optimizationError: null, capturedAt: null });
    await expectPhoneVariants(media);
  }, 120_000);

  it("by GraphQL uploadMedia (multipart, Apollo-Require-Preflight): the same outcome", async () => {
    const form = new FormData();
    const query =
      "mutation($file: File!) { uploadMedia(file: $file) { __typename ... on UploadMediaSuccess { media { databaseId contentType fileName } } } }";
    form.set("operations", JSON.stringify({ query, variables: { file: null } }));
    form.set("map", JSON.stringify({ 0: ["variables.file"] }));
    form.set("0", new Blob([new Uint8Array(phone)]), "IMG_4033.HEIC");
    const response = await gateway.request("/graphql", {
      method: "POST",
      body: form,
      apiKey,
      headers: { "Apollo-Require-Preflight": "true" },
    });
    expect(response.status).toBe(200);
    const uploaded = (await response.json()).data.uploadMedia;
    expect(uploaded).toMatchObject({
      __typename: "UploadMediaSuccess",
      media: { contentType: "image/heic", fileName: "IMG_4033.HEIC" },
    });
    const id = uploaded.media.databaseId as number;
    const media = await waitFor(
      `media ${id} to succeed (GraphQL)`,
      async () => {
        const read = await gateway.request("/graphql", {
          method: "POST",
          ...json({
            query: `{ media(id: ${id}) { optimization width height variants { url variantSize width height } } }`,
          }),
          apiKey,
        });
        const found = (await read.json()).data.media;
        return found.optimization === "SUCCESS" || found.optimization === "FAILED" ? found : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(media.optimization).toBe("SUCCESS");
    await expectPhoneVariants(media);
  }, 120_000);

  it("capturedAt comes from the HEIC's EXIF, with its offset; no GPS anywhere in the media object", async () => {
    const dated = await heicFixture("dated.heic");
    const queued = await body(await upload(gateway, apiKey, dated, undefined, "dated.heic"));
    const media = await settled(queued.id);
    expect(media).toMatchObject({ optimization: "success", capturedAt: "2024-06-01T14:22:03+02:00" });
    expect(JSON.stringify(media)).not.toMatch(/gps|latitude|longitude|48\.85/i);
  }, 60_000);
});

describe("a HEIC through every other way in", () => {
  it("URL import: success, named after the URL's last segment", async () => {
    const response = await post("/media/upload-from-url", { url: `${sourceUrl}/album/IMG_0001.HEIC?size=full` });
    expect(response.status).toBe(202);
    const media = await expectSmallHeicOptimized((await body(response)).mediaId);
    expect(media.fileName).toBe("IMG_0001.HEIC");
  }, 60_000);

  it("signed direct upload declared image/heic: success, with its declared name", async () => {
    const signed = await body(
      await post("/media/upload-url", { contentType: "image/heic", size: small.length, fileName: "IMG_0002.HEIC" }),
    );
    const put = await fetch(signed.uploadUrl, { method: "PUT", headers: signed.headers, body: new Uint8Array(small) });
    expect(put.status).toBe(200);
    expect((await post(`/media/${signed.mediaId}/complete`, undefined)).status).toBe(202);
    const media = await expectSmallHeicOptimized(signed.mediaId);
    expect(media.fileName).toBe("IMG_0002.HEIC");
  }, 60_000);

  it("bulk upload-from-url: success", async () => {
    const response = await post("/media/bulk", {
      operations: [{ op: "upload-from-url", url: `${sourceUrl}/IMG_0003.HEIC`, externalId: "bulk-heic" }],
    });
    expect(response.status).toBe(200);
    const [result] = (await body(response)).results;
    expect(result).toMatchObject({ ok: true, status: 202 });
    await expectSmallHeicOptimized(result.data.mediaId);
  }, 60_000);

  it("a listing's URL entry: the imported HEIC ends success in the listing", async () => {
    const response = await gateway.request("/api/v1/listings", {
      method: "PUT",
      ...json({
        externalId: "heic-listing",
        title: "Shot on a phone",
        status: "draft",
        files: [{ url: `${sourceUrl}/IMG_0004.HEIC`, externalFileId: "listing-heic" }],
      }),
      apiKey,
    });
    expect(response.status).toBeLessThan(300);
    const listing = await body(response);
    const read = await body(await gateway.request(`/api/v1/listings/${listing.id}`, { apiKey }));
    const media = await expectSmallHeicOptimized(read.files[0].id);
    expect(media).toMatchObject({ externalId: "listing-heic", fileName: "IMG_0004.HEIC" });
  }, 60_000);
});

describe("corrupt HEIC", () => {
  it("truncated, wrong brand, huge declared size: each ends failed with a reason; the optimizer goes on", async () => {
    const wrongBrand = Buffer.from(small);
    wrongBrand.write("avif", 8, "latin1"); // a HEVC image in a file that says AV1
    const cases: [string, Buffer, RegExp][] = [
      ["truncated.heic", small.subarray(0, Math.floor(small.length / 2)), /^the HEIC image could not be/],
      ["wrong-brand.heic", wrongBrand, /^the image could not be decoded/],
      ["huge.heic", withDeclaredSize(small, 60_000, 60_000), /60000x60000 pixels, more than the \d+ allowed/],
    ];
    for (const [name, bytes, reason] of cases) {
      const queued = await body(await upload(gateway, apiKey, bytes, undefined, name));
      const media = await settled(queued.id);
      expect(media, name).toMatchObject({ optimization: "failed", variants: [] });
      expect(media.optimizationError, name).toMatch(reason);
    }
    const next = await body(await upload(gateway, apiKey, Buffer.concat([small, Buffer.from("#next")])));
    await expectSmallHeicOptimized(next.id);
  }, 90_000);
});
