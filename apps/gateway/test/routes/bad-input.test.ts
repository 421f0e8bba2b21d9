import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_FIELDS, graphql, graphqlUpload } from "../graphql/client.ts";

let gateway: Gateway;
let key: string;
let keeper: { id: number; originalUrl: string };
let keeperBytes: Buffer;

const MAX_UPLOAD_BYTES = 3 * 1024 * 1024;

beforeAll(async () => {
  gateway = await startGateway({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
  key = (await gateway.createAgency()).apiKey;
  keeperBytes = await photo("friends_by_Aitzol_Berasategi.jpg");
  keeper = await body(await upload(gateway, key, keeperBytes, "keeper"));
});
afterAll(() => gateway?.close());

async function storedFiles(): Promise<string[]> {
  const root = path.join(gateway.dataDir, "objects", "m");
  return (await readdir(root, { recursive: true }).catch(() => [])).map(String).sort();
}

async function spooledUploads(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith("darkroom-upload-"));
}

function multipart(bytes: Buffer, filename: string, externalId?: string) {
  const form = new FormData();
  if (externalId !== undefined) form.set("externalId", externalId);
  form.set("file", new Blob([new Uint8Array(bytes)]), filename);
  return { method: "POST", body: form };
}

describe("bad input over REST", () => {
  it("every bad request gets a clear 4xx with the error body; nothing else is disturbed or left behind", async () => {
    const jpeg = await photo("Picture_1A_by_freespace.jpg");
    const before = await storedFiles();
    const spooledBefore = await spooledUploads();
    const cases: [string, string, RequestInit, number][] = [
      [
        "malformed JSON",
        `/api/v1/media/${keeper.id}/link`,
        { method: "POST", body: "{", headers: { "Content-Type": "application/json" } },
        400,
      ],
      ["JSON null", `/api/v1/media/${keeper.id}/link`, { method: "POST", ...json(null) }, 400],
      [
        "a form to a JSON route",
        `/api/v1/media/${keeper.id}/link`,
        { method: "POST", body: new URLSearchParams({ externalId: "x" }) },
        415,
      ],
      [
        "XML to a JSON route",
        "/api/v1/media/upload-from-url",
        { method: "POST", body: "<url/>", headers: { "Content-Type": "application/xml" } },
        415,
      ],
      [
        "a body over 512 KB",
        "/api/v1/media/bulk",
        { method: "POST", ...json({ operations: "x".repeat(520 * 1024) }) },
        413,
      ],
      ["an empty external ID", `/api/v1/media/${keeper.id}/link`, { method: "POST", ...json({ externalId: "" }) }, 400],
      [
        "a 256-character external ID",
        `/api/v1/media/${keeper.id}/link`,
        { method: "POST", ...json({ externalId: "a".repeat(256) }) },
        400,
      ],
      [
        "a control character",
        `/api/v1/media/${keeper.id}/link`,
        { method: "POST", ...json({ externalId: "a\u0007b" }) },
        400,
      ],
      [
        "surrounding spaces",
        `/api/v1/media/${keeper.id}/link`,
        { method: "POST", ...json({ externalId: " a " }) },
        400,
      ],
      [
        "an external ID that is a number",
        `/api/v1/media/${keeper.id}/link`,
        { method: "POST", ...json({ externalId: 42 }) },
        400,
      ],
      ["a negative id", "/api/v1/media/-1", {}, 400],
      ["an id over bigint", "/api/v1/media/99999999999999999999999", {}, 400],
      ["a fractional id", "/api/v1/media/1.5", {}, 400],
      ["a traversal in an id", "/api/v1/media/..%2F..%2Fetc", {}, 400],
      ["a traversal in a file URL", "/files/m/..%2F..%2F..%2Fetc/passwd", {}, 404],
      ["a traversal in a file path", "/files/../../etc/passwd", {}, 404],
      ["a huge limit", "/api/v1/media?limit=100000000000", {}, 400],
      [
        "HTML named .jpg",
        "/api/v1/media",
        multipart(Buffer.from("<!doctype html><html><script>x</script></html>"), "a.jpg"),
        415,
      ],
      ["a PDF named .jpg", "/api/v1/media", multipart(Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj"), "a.jpg"), 415],
      [
        "an SVG with a script",
        "/api/v1/media",
        multipart(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "a.svg"),
        415,
      ],
      ["random bytes named .jpg", "/api/v1/media", multipart(randomBytes(50_000), "photo.jpg"), 415],
      ["zero bytes", "/api/v1/media", multipart(Buffer.alloc(0), "empty.jpg"), 415],
      [
        "an upload over the limit",
        "/api/v1/media",
        multipart(Buffer.concat([jpeg, Buffer.alloc(MAX_UPLOAD_BYTES)]), "big.jpg"),
        413,
      ],
      ["an upload with a bad external ID", "/api/v1/media", multipart(jpeg, "ok.jpg", "bad\nid"), 400],
      ["an upload taking a linked external ID", "/api/v1/media", multipart(jpeg, "ok.jpg", "keeper"), 409],
      [
        "two files",
        "/api/v1/media",
        (() => {
          const form = new FormData();
          form.append("file", new Blob([new Uint8Array(jpeg)]), "a.jpg");
          form.append("file", new Blob([new Uint8Array(jpeg)]), "b.jpg");
          return { method: "POST", body: form };
        })(),
        400,
      ],
      [
        "a multipart body that never ends",
        "/api/v1/media",
        {
          method: "POST",
          body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc',
          headers: { "Content-Type": "multipart/form-data; boundary=x" },
        },
        400,
      ],
      [
        "an unknown bulk operation",
        "/api/v1/media/bulk",
        { method: "POST", ...json({ operations: [{ op: "format-disk" }] }) },
        422,
      ],
      ["a bad cursor", "/api/v1/media?cursor=%00%01", {}, 400],
    ];
    for (const [name, route, init, status] of cases) {
      const response = await gateway.request(route, { ...init, apiKey: key });
      const payload = await response.text();
      expect({ name, status: response.status }).toEqual({ name, status });
      const parsed = JSON.parse(payload);
      expect(parsed).toMatchObject({ statusCode: status, error: expect.any(String) });
      expect(typeof parsed.message === "string" || Array.isArray(parsed.message)).toBe(true);
    }
    // the process is up, the existing file is intact, and nothing was stored or left spooled
    expect((await gateway.request("/healthz")).status).toBe(200);
    const still = await body(await gateway.request(`/api/v1/media/${keeper.id}`, { apiKey: key }));
    expect(still).toMatchObject({ id: keeper.id, externalId: "keeper", size: keeperBytes.length });
    expect(Buffer.from(await (await fetch(keeper.originalUrl)).arrayBuffer()).equals(keeperBytes)).toBe(true);
    expect(await storedFiles()).toEqual(before);
    expect(await spooledUploads()).toEqual(spooledBefore);
  });
});

describe("bad input over GraphQL", () => {
  // GraphQL over HTTP: with this media type, a request that cannot run at all answers 4xx (with the
  // legacy application/json, such answers are 200 with errors and no data, as the spec says).
  const ACCEPT = "application/graphql-response+json";
  const raw = (init: RequestInit) =>
    gateway.request("/graphql", {
      method: "POST",
      ...init,
      headers: { Accept: ACCEPT, ...(init.headers as Record<string, string>) },
      apiKey: key,
    });
  const query = (source: string, variables: Record<string, unknown> = {}) =>
    graphql(gateway, key, source, variables, { Accept: ACCEPT });

  it("each bad request is a 4xx or a typed error; nothing else is disturbed or left behind", async () => {
    const jpeg = await photo("Picture_1A_by_freespace.jpg");
    const before = await storedFiles();
    const spooledBefore = await spooledUploads();

    // Bodies GraphQL cannot read: a 4xx with GraphQL's error shape.
    const unreadable: [string, RequestInit, number][] = [
      ["malformed JSON", { body: "{", headers: { "Content-Type": "application/json" } }, 400],
      ["JSON null", { body: "null", headers: { "Content-Type": "application/json" } }, 400],
      ["no query", { body: "{}", headers: { "Content-Type": "application/json" } }, 400],
      [
        "a query that does not parse",
        { body: JSON.stringify({ query: "{ media(" }), headers: { "Content-Type": "application/json" } },
        400,
      ],
      ["XML", { body: "<query/>", headers: { "Content-Type": "application/xml" } }, 415],
      [
        "a body over 512 KB",
        {
          body: JSON.stringify({ query: `{ agency { name } }${" ".repeat(520 * 1024)}` }),
          headers: { "Content-Type": "application/json" },
        },
        413,
      ],
    ];
    for (const [name, init, status] of unreadable) {
      const response = await raw(init);
      const payload = JSON.parse(await response.text());
      expect({ name, status: response.status }).toEqual({ name, status });
      expect({ name, message: typeof payload.errors?.[0]?.message }).toEqual({ name, message: "string" });
    }

    // Arguments that break a rule: a VALIDATION_FAILED error, or a ValidationError member, never data.
    const externalIds = ["", "a".repeat(256), "a\u0007b", " a "];
    for (const externalId of externalIds) {
      const found = await query("query($e: String!) { mediaByExternalId(externalId: $e) { databaseId } }", {
        e: externalId,
      });
      expect({ externalId, code: found.errors?.[0]?.extensions?.code }).toEqual({
        externalId,
        code: "VALIDATION_FAILED",
      });
      const linked = await query(
        `mutation($id: Int!, $e: String!) { linkMediaExternalId(id: $id, externalId: $e) { ${ERROR_FIELDS} } }`,
        { id: keeper.id, e: externalId },
      );
      expect({ externalId, result: linked.data?.linkMediaExternalId?.__typename }).toEqual({
        externalId,
        result: "ValidationError",
      });
    }
    for (const id of [0, -1]) {
      const found = await query("query($id: Int!) { media(id: $id) { databaseId } }", { id });
      expect({ id, code: found.errors?.[0]?.extensions?.code }).toEqual({ id, code: "VALIDATION_FAILED" });
    }
    for (const id of [2 ** 31, 1.5, "1", "../../etc/passwd"]) {
      // Not an Int at all: refused before any resolver runs.
      const found = await query("query($id: Int!) { media(id: $id) { databaseId } }", { id });
      expect({ id, status: found.status, data: found.data }).toEqual({ id, status: 400, data: undefined });
    }
    const traversal = await query(`{ node(id: "${Buffer.from("Media:../../etc").toString("base64")}") { id } }`);
    expect(traversal.data?.node ?? null).toBeNull();

    // Files that lie about their type, empty ones, and ones over the limit.
    const uploads: [string, Buffer, string, string][] = [
      [
        "HTML named .jpg",
        Buffer.from("<!doctype html><html><script>x</script></html>"),
        "a.jpg",
        "UnsupportedFileTypeError",
      ],
      ["a PDF named .jpg", Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj"), "a.jpg", "UnsupportedFileTypeError"],
      [
        "an SVG with a script",
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        "a.svg",
        "UnsupportedFileTypeError",
      ],
      ["random bytes named .jpg", randomBytes(50_000), "photo.jpg", "UnsupportedFileTypeError"],
      ["zero bytes", Buffer.alloc(0), "empty.jpg", "UnsupportedFileTypeError"],
      [
        "an upload over the limit",
        Buffer.concat([jpeg, Buffer.alloc(MAX_UPLOAD_BYTES)]),
        "big.jpg",
        "FileTooLargeError",
      ],
    ];
    for (const [name, bytes, filename, type] of uploads) {
      const result = await graphqlUpload(gateway, key, bytes, { filename });
      expect({ name, type: result.data?.uploadMedia?.__typename }).toEqual({ name, type });
    }

    // the process is up, the existing file is intact, and nothing was stored or left spooled
    expect((await gateway.request("/healthz")).status).toBe(200);
    const still = await body(await gateway.request(`/api/v1/media/${keeper.id}`, { apiKey: key }));
    expect(still).toMatchObject({ id: keeper.id, externalId: "keeper", size: keeperBytes.length });
    expect(await storedFiles()).toEqual(before);
    expect(await spooledUploads()).toEqual(spooledBefore);
  });
});
