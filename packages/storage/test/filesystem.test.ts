import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentTypeForKey } from "../src/content-type.ts";
import { createFilesystemStorage, type FilesystemStorage } from "../src/filesystem.ts";
import { InvalidKeyError, ObjectSizeMismatchError } from "../src/storage.ts";
import { verifyUploadSignature } from "../src/upload-signature.ts";
import { describeStorageContract } from "./contract.ts";
import { chunkedStream, patternBytes, readAll } from "./support/bytes.ts";
import { startFileGateway } from "./support/file-gateway.ts";

const SECRET = "test-signing-secret-0123456789";

describeStorageContract("filesystem", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "darkroom-fs-storage-"));
  let storage: FilesystemStorage | undefined;
  const gateway = await startFileGateway(() => {
    if (!storage) throw new Error("storage not created");
    return storage;
  }, SECRET);
  storage = createFilesystemStorage({ root, publicUrl: gateway.url, signingSecret: SECRET });
  return {
    storage,
    async teardown() {
      await gateway.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe("filesystem storage", () => {
  const publicUrl = "https://photos.example.test";
  let root: string;
  let storage: FilesystemStorage;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "darkroom-fs-storage-"));
    storage = createFilesystemStorage({ root, publicUrl: `${publicUrl}/`, signingSecret: SECRET });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("keeps each object at root/<key>", async () => {
    await storage.put("layout/a/b.jpg", Buffer.from("hello"), { contentType: "image/jpeg", size: 5 });
    expect((await stat(path.join(root, "layout/a/b.jpg"))).size).toBe(5);
  });

  it("gives the file of an object as its local file", async () => {
    await storage.put("layout/local.jpg", Buffer.from("hello"), { contentType: "image/jpeg", size: 5 });
    expect(await storage.localFile("layout/local.jpg")).toEqual({ path: path.join(root, "layout/local.jpg"), size: 5 });
  });

  it("leaves no temporary files behind, whether a put succeeds or fails", async () => {
    await storage.put("temp/ok.jpg", chunkedStream(patternBytes(10_000)), { contentType: "image/jpeg", size: 10_000 });
    await expect(
      storage.put("temp/short.jpg", chunkedStream(patternBytes(10_000)), { contentType: "image/jpeg", size: 10_001 }),
    ).rejects.toBeInstanceOf(ObjectSizeMismatchError);
    expect(await readdir(path.join(root, ".tmp"))).toEqual([]);
  });

  it("reserves the temporary directory's name", async () => {
    await expect(
      storage.put(".tmp/x.jpg", Buffer.from("x"), { contentType: "image/jpeg", size: 1 }),
    ).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(storage.deletePrefix(".tmp")).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it("derives the content type from the key, not from the put options", async () => {
    await storage.put("types/scan.TIFF", Buffer.from("x"), { contentType: "image/jpeg", size: 1 });
    expect(await storage.head("types/scan.TIFF")).toMatchObject({ contentType: "image/tiff" });
  });

  it("maps key extensions to content types", () => {
    expect(contentTypeForKey("a/b.jpg")).toBe("image/jpeg");
    expect(contentTypeForKey("a/b.JPEG")).toBe("image/jpeg");
    expect(contentTypeForKey("b.png")).toBe("image/png");
    expect(contentTypeForKey("b.webp")).toBe("image/webp");
    expect(contentTypeForKey("b.gif")).toBe("image/gif");
    expect(contentTypeForKey("b.avif")).toBe("image/avif");
    expect(contentTypeForKey("b.tif")).toBe("image/tiff");
    expect(contentTypeForKey("b.tiff")).toBe("image/tiff");
    expect(contentTypeForKey("b.heic")).toBe("image/heic");
    expect(contentTypeForKey("b.txt")).toBe("application/octet-stream");
    expect(contentTypeForKey("jpg")).toBe("application/octet-stream");
    expect(contentTypeForKey("a.jpg/b")).toBe("application/octet-stream");
    expect(contentTypeForKey(".png")).toBe("application/octet-stream");
  });

  it("builds file URLs under /files on the public URL", async () => {
    expect(await storage.url("album/photo.jpg")).toBe(`${publicUrl}/files/album/photo.jpg`);
  });

  it("opens objects for serving with size, content type and etag", async () => {
    const bytes = patternBytes(2048, 12);
    await storage.put("serve/x.webp", bytes, { contentType: "image/webp", size: bytes.length });
    const object = await storage.read("serve/x.webp");
    if (!object) throw new Error("expected an object");
    expect(object).toMatchObject({
      size: 2048,
      contentType: "image/webp",
      etag: (await storage.head("serve/x.webp"))?.etag,
    });
    expect((await readAll(object.stream)).equals(bytes)).toBe(true);
    expect(await storage.read("serve/missing.webp")).toBeNull();
    expect(await storage.read("serve")).toBeNull();
  });

  it("fails its health check when the root cannot be used", async () => {
    const file = path.join(root, "not-a-directory");
    await writeFile(file, "x");
    const broken = createFilesystemStorage({ root: path.join(file, "objects"), publicUrl, signingSecret: SECRET });
    await expect(broken.check()).rejects.toThrow();
  });

  it("refuses to start without a signing secret", () => {
    expect(() => createFilesystemStorage({ root, publicUrl, signingSecret: "" })).toThrow();
  });

  describe("presigned uploads", () => {
    const key = "uploads/new.heic";
    const contentType = "image/heic";
    const size = 123_456;

    async function presign() {
      const { url, headers } = await storage.presignPut(key, { contentType, size, expiresInSeconds: 600 });
      const parsed = new URL(url);
      return {
        url: parsed,
        headers,
        expires: parsed.searchParams.get("expires") ?? "",
        signature: parsed.searchParams.get("signature") ?? "",
      };
    }

    it("points at /uploads/<key> with an expiry and a hex signature", async () => {
      const before = Math.floor(Date.now() / 1000);
      const { url, headers, expires, signature } = await presign();
      expect(`${url.origin}${url.pathname}`).toBe(`${publicUrl}/uploads/${key}`);
      expect(Number(expires) - before).toBeGreaterThanOrEqual(600);
      expect(Number(expires) - before).toBeLessThanOrEqual(601);
      expect(signature).toMatch(/^[0-9a-f]{64}$/);
      expect(headers).toEqual({ "Content-Type": contentType });
    });

    it("verifies the signature it issued", async () => {
      const { expires, signature } = await presign();
      expect(verifyUploadSignature({ key, expires, signature, contentType, size, secret: SECRET })).toBe(true);
      expect(
        verifyUploadSignature({ key, expires: Number(expires), signature, contentType, size, secret: SECRET }),
      ).toBe(true);
    });

    it("refuses a signature for another key, size, content type or secret", async () => {
      const { expires, signature } = await presign();
      const valid = { key, expires, signature, contentType, size, secret: SECRET };
      expect(verifyUploadSignature({ ...valid, key: "uploads/other.heic" })).toBe(false);
      expect(verifyUploadSignature({ ...valid, size: size + 1 })).toBe(false);
      expect(verifyUploadSignature({ ...valid, contentType: "image/jpeg" })).toBe(false);
      expect(verifyUploadSignature({ ...valid, secret: `${SECRET}x` })).toBe(false);
      expect(verifyUploadSignature({ ...valid, expires: String(Number(expires) + 1) })).toBe(false);
      const flipped = `${signature[0] === "0" ? "1" : "0"}${signature.slice(1)}`;
      expect(verifyUploadSignature({ ...valid, signature: flipped })).toBe(false);
      expect(verifyUploadSignature({ ...valid, signature: signature.slice(2) })).toBe(false);
      expect(verifyUploadSignature({ ...valid, signature: "" })).toBe(false);
      expect(verifyUploadSignature({ ...valid, expires: "12abc" })).toBe(false);
      expect(verifyUploadSignature({ ...valid, key: "../escape" })).toBe(false);
    });

    it("refuses an expired signature", async () => {
      const { expires, signature } = await presign();
      const valid = { key, expires, signature, contentType, size, secret: SECRET };
      expect(verifyUploadSignature({ ...valid, now: Number(expires) * 1000 - 1 })).toBe(true);
      expect(verifyUploadSignature({ ...valid, now: Number(expires) * 1000 })).toBe(false);
      expect(verifyUploadSignature({ ...valid, now: Date.now() + 601_000 })).toBe(false);
    });
  });
});
