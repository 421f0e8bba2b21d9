import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Gateway, photo, startGateway } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, graphqlUpload, UPLOAD_MUTATION } from "./client.ts";

let gateway: Gateway;
let small: Gateway;
let key: string;
let smallKey: string;
let jpeg: Buffer;
let png: Buffer;
let tmpDir: string;

beforeAll(async () => {
  // Uploads spool to os.tmpdir(): a directory of this file's own shows that none is left behind.
  tmpDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-graphql-spool-"));
  process.env.TMPDIR = tmpDir;
  gateway = await startGateway();
  small = await startGateway({ MAX_UPLOAD_BYTES: String(500 * 1024) });
  key = (await gateway.createAgency("Rentix")).apiKey;
  smallKey = (await small.createAgency("Small")).apiKey;
  jpeg = await photo("Picture_1A_by_freespace.jpg");
  png = await photo("goldfish.png");
});
afterAll(async () => {
  await gateway?.close();
  await small?.close();
  await rm(tmpDir, { recursive: true, force: true });
});

async function objectCount(g: Gateway = gateway): Promise<number> {
  const files = await readdir(path.join(g.dataDir, "objects"), { recursive: true }).catch(() => []);
  return files.filter((file) => file.endsWith("original.jpg") || file.endsWith("original.png")).length;
}

/** Spooled uploads are removed once their response is sent. */
async function expectNoSpooledFiles() {
  for (let i = 0; i < 50; i++) {
    if ((await readdir(tmpDir)).every((name) => !name.startsWith("darkroom-upload-"))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(await readdir(tmpDir)).toEqual([]);
}

describe("uploadMedia", () => {
  it("stores the bytes as sent, typed from their content, and queues the optimization", async () => {
    const { status, data, errors } = await graphqlUpload(gateway, key, png, {
      externalId: "apt-001-photo-1",
      filename: "looks-like.jpg",
    });
    expect({ status, errors }).toEqual({ status: 200, errors: undefined });
    const { created, media } = data.uploadMedia;
    expect(data.uploadMedia.__typename).toBe("UploadMediaSuccess");
    expect(created).toBe(true);
    expect(media).toMatchObject({
      externalId: "apt-001-photo-1",
      size: png.length,
      contentType: "image/png",
      optimization: "PENDING",
      variants: [],
      blurhash: null,
      fileName: "looks-like.jpg",
      capturedAt: null,
    });
    const original = await fetch(media.originalUrl);
    expect(original.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await original.arrayBuffer()).equals(png)).toBe(true);
    const [job] = await gateway.database.sql`
      select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'optimize_media' and (j.payload->>'mediaId')::int = ${media.databaseId}`;
    expect(job?.payload).toEqual({
      mediaId: media.databaseId,
      generation: 1,
      originalKey: expect.stringMatching(/^m\/[\w-]+\/original\.png$/),
    });
    await expectNoSpooledFiles();
  });

  it("the file's name is kept sanitized as fileName (NFC, no control characters, at most 255 characters)", async () => {
    const long = `${"x".repeat(300)}.png`;
    for (const [filename, fileName] of [
      ["cafe\u0301\u0007 terrasse.png", "café terrasse.png"],
      [long, `${"x".repeat(251)}.png`],
    ]) {
      const { data } = await graphqlUpload(gateway, key, png, { filename: filename as string });
      expect(data.uploadMedia.media.fileName).toBe(fileName);
    }
  });

  it("a byte-identical retry with the same external ID answers the existing file (created: false)", async () => {
    const first = await graphqlUpload(gateway, key, jpeg, { externalId: "apt-002-photo-1" });
    const before = await objectCount();
    const retry = await graphqlUpload(gateway, key, jpeg, { externalId: "apt-002-photo-1" });
    expect(retry.data.uploadMedia).toMatchObject({
      __typename: "UploadMediaSuccess",
      created: false,
      media: { databaseId: first.data.uploadMedia.media.databaseId },
    });
    expect(await objectCount()).toBe(before);
  });

  it("other bytes with a taken external ID are ExternalIdAlreadyLinkedError, and nothing is stored", async () => {
    const first = await graphqlUpload(gateway, key, jpeg, { externalId: "apt-003-photo-1" });
    const before = await objectCount();
    const { data } = await graphqlUpload(gateway, key, png, { externalId: "apt-003-photo-1" });
    expect(data.uploadMedia).toEqual({
      __typename: "ExternalIdAlreadyLinkedError",
      message: "External ID already linked",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      mediaId: first.data.uploadMedia.media.databaseId,
    });
    expect(await objectCount()).toBe(before);
    await expectNoSpooledFiles();
  });

  it("bytes that are not an accepted image are UnsupportedFileTypeError, whatever the name says", async () => {
    const before = await objectCount();
    for (const bytes of [
      Buffer.from("<html><body>hello</body></html>"),
      Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      Buffer.alloc(0),
    ]) {
      const { data } = await graphqlUpload(gateway, key, bytes, { filename: "photo.jpg" });
      expect(data.uploadMedia).toEqual({
        __typename: "UnsupportedFileTypeError",
        message: "Unsupported file type",
        code: "UNSUPPORTED_FILE_TYPE",
      });
    }
    expect(await objectCount()).toBe(before);
    await expectNoSpooledFiles();
  });

  it("an invalid external ID is ValidationError with REST's problems", async () => {
    const { data } = await graphqlUpload(gateway, key, jpeg, { externalId: "x".repeat(256) });
    expect(data.uploadMedia).toEqual({
      __typename: "ValidationError",
      message: "externalId must be 1-255 characters",
      code: "VALIDATION_FAILED",
      problems: ["externalId must be 1-255 characters"],
    });
  });

  it("a file over MAX_UPLOAD_BYTES is FileTooLargeError; nothing is stored or left spooled", async () => {
    expect(jpeg.length).toBeGreaterThan(500 * 1024);
    const { status, data } = await graphqlUpload(small, smallKey, jpeg);
    expect(status).toBe(200);
    expect(data.uploadMedia).toEqual({
      __typename: "FileTooLargeError",
      message: "File too large",
      code: "FILE_TOO_LARGE",
    });
    expect(await small.database.sql`select id from media`).toHaveLength(0);
    expect(await objectCount(small)).toBe(0);
    await expectNoSpooledFiles();
    // a file within the limit still goes through on the same gateway
    const onePixel = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
      "base64",
    );
    expect((await graphqlUpload(small, smallKey, onePixel)).data.uploadMedia).toMatchObject({
      __typename: "UploadMediaSuccess",
      media: { contentType: "image/png", size: onePixel.length },
    });
  });

  it("several files in one request, each its own result", async () => {
    const form = new FormData();
    form.set(
      "operations",
      JSON.stringify({
        query: `mutation($a: File!, $b: File!) {
          a: uploadMedia(file: $a) { __typename ... on UploadMediaSuccess { media { contentType size } } }
          b: uploadMedia(file: $b) { __typename }
        }`,
        variables: { a: null, b: null },
      }),
    );
    form.set("map", JSON.stringify({ 0: ["variables.a"], 1: ["variables.b"] }));
    form.set("0", new Blob([new Uint8Array(jpeg)]), "a.jpg");
    form.set("1", new Blob([new TextEncoder().encode("not an image")]), "b.jpg");
    const response = await gateway.request("/graphql", {
      method: "POST",
      body: form,
      apiKey: key,
      headers: { "x-graphql-yoga-csrf": "1" },
    });
    expect(await response.json()).toEqual({
      data: {
        a: { __typename: "UploadMediaSuccess", media: { contentType: "image/jpeg", size: jpeg.length } },
        b: { __typename: "UnsupportedFileTypeError" },
      },
    });
    await expectNoSpooledFiles();
  });
});

describe("multipart requests that break the spec", () => {
  async function send(parts: [string, string | Blob, string?][]) {
    const form = new FormData();
    for (const [name, value, filename] of parts) {
      if (typeof value === "string") form.append(name, value);
      else form.append(name, value, filename);
    }
    const response = await gateway.request("/graphql", {
      method: "POST",
      body: form,
      apiKey: key,
      headers: { "x-graphql-yoga-csrf": "1" },
    });
    return { status: response.status, body: await response.json() };
  }
  const operations = JSON.stringify({ query: UPLOAD_MUTATION, variables: { file: null } });
  const map = JSON.stringify({ 0: ["variables.file"] });
  const file = () => new Blob([new Uint8Array(png)]);

  it("answer 400 naming the problem, and store nothing", async () => {
    const cases: [[string, string | Blob, string?][], string][] = [
      [
        [
          ["map", map],
          ["0", file(), "a.png"],
        ],
        '"operations" and "map" must come before the files',
      ],
      [
        [
          ["operations", operations],
          ["0", file(), "a.png"],
        ],
        '"operations" and "map" must come before the files',
      ],
      [
        [
          ["operations", "{nope"],
          ["map", map],
        ],
        'Multipart field "operations" must be valid JSON',
      ],
      [
        [
          ["operations", operations],
          ["map", "[1]"],
        ],
        'Multipart field "map" must map file names to arrays of paths',
      ],
      [
        [
          ["operations", operations],
          ["map", map],
        ],
        'Multipart file "0" is missing',
      ],
      [
        [
          ["operations", operations],
          ["map", JSON.stringify({ 0: ["variables.nope.deeper"] })],
          ["0", file(), "a.png"],
        ],
        'Multipart map path "variables.nope.deeper" does not point into the operations',
      ],
      [
        [
          ["operations", operations],
          ["map", map],
          ["1", file(), "a.png"],
        ],
        'Multipart file "1" is not in the map',
      ],
      [
        [
          ["operations", operations],
          ["extra", "x"],
        ],
        'Unexpected multipart field "extra"',
      ],
      [
        [
          ["operations", operations],
          ["map", map],
          ["extra", "x"],
        ],
        'Only the fields "operations" and "map" may be sent',
      ],
    ];
    const before = await objectCount();
    for (const [parts, message] of cases) {
      const { status, body } = await send(parts);
      expect({ message, status }).toEqual({ message, status: 400 });
      expect(body.errors[0].message).toContain(message);
    }
    expect(await objectCount()).toBe(before);
    await expectNoSpooledFiles();
  });

  it("a body that ends inside a file answers 400 and leaves nothing spooled", async () => {
    const body =
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--x\r\nContent-Disposition: form-data; name="map"\r\n\r\n${map}\r\n` +
      `--x\r\nContent-Disposition: form-data; name="0"; filename="a.jpg"\r\n\r\nabc`;
    const response = await gateway.request("/graphql", {
      method: "POST",
      apiKey: key,
      body,
      headers: { "Content-Type": "multipart/form-data; boundary=x", "x-graphql-yoga-csrf": "1" },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("connection")).toBe("close");
    expect((await response.json()).errors[0].message).toBe("Malformed multipart body: it ends inside a file");
    await expectNoSpooledFiles();
  });

  it("a File variable sent in a JSON body is refused", async () => {
    const response = await graphql(gateway, key, UPLOAD_MUTATION, { file: "aGVsbG8=" });
    expect(response.data).toBeUndefined();
    expect(response.errors?.[0].message).toContain("File must be sent as a file of a multipart request");
  });
});
