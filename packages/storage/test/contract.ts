import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidKeyError, ObjectNotFoundError, ObjectSizeMismatchError, type ObjectStorage } from "../src/storage.ts";
import { chunkedStream, lingeringStream, patternBytes, readAll } from "./support/bytes.ts";

export interface StorageFixture {
  storage: ObjectStorage;
  teardown(): Promise<void>;
}

export const INVALID_KEYS = ["../x", "a//b", "/a", "a/", "a/./b", "a/../b", "", "x".repeat(513), "a b", "é.jpg"];

/** The behaviour every ObjectStorage driver must share, run against the driver `setup` creates. */
export function describeStorageContract(name: string, setup: () => Promise<StorageFixture>): void {
  describe(`${name} storage contract`, () => {
    let fixture: StorageFixture | undefined;
    const storage = (): ObjectStorage => {
      if (!fixture) throw new Error("storage fixture not set up");
      return fixture.storage;
    };

    beforeAll(async () => {
      fixture = await setup();
    });

    afterAll(async () => {
      await fixture?.teardown();
    });

    it("round-trips a Buffer byte for byte", async () => {
      const bytes = patternBytes(300_000, 1);
      await storage().put("roundtrip/buffer.jpg", bytes, { contentType: "image/jpeg", size: bytes.length });
      expect((await readAll(await storage().get("roundtrip/buffer.jpg"))).equals(bytes)).toBe(true);
    });

    it("round-trips a stream byte for byte", async () => {
      const bytes = patternBytes(1_048_576 + 17, 2);
      await storage().put("roundtrip/stream.png", chunkedStream(bytes), {
        contentType: "image/png",
        size: bytes.length,
      });
      expect((await readAll(await storage().get("roundtrip/stream.png"))).equals(bytes)).toBe(true);
    });

    it("putFile stores a local file byte for byte, and refuses one of another size", async () => {
      const bytes = patternBytes(700_001, 3);
      const dir = await mkdtemp(path.join(os.tmpdir(), "darkroom-putfile-"));
      const file = path.join(dir, "upload");
      await writeFile(file, bytes);
      try {
        await storage().putFile("roundtrip/file.jpg", file, { contentType: "image/jpeg", size: bytes.length });
        expect((await readAll(await storage().get("roundtrip/file.jpg"))).equals(bytes)).toBe(true);
        await expect(
          storage().putFile("roundtrip/short.jpg", file, { contentType: "image/jpeg", size: bytes.length + 1 }),
        ).rejects.toThrow();
        expect(await storage().head("roundtrip/short.jpg")).toBeNull();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("putFile with move stores the file's bytes, and refuses one of another size without storing it", async () => {
      const bytes = patternBytes(300_007, 5);
      const dir = await mkdtemp(path.join(os.tmpdir(), "darkroom-putfile-"));
      const file = path.join(dir, "upload");
      try {
        await writeFile(file, bytes);
        await expect(
          storage().putFile("moved/short.jpg", file, { contentType: "image/jpeg", size: bytes.length - 1, move: true }),
        ).rejects.toThrow();
        expect(await storage().head("moved/short.jpg")).toBeNull();
        await storage().putFile("moved/file.jpg", file, { contentType: "image/jpeg", size: bytes.length, move: true });
        expect((await readAll(await storage().get("moved/file.jpg"))).equals(bytes)).toBe(true);
        await rm(file, { force: true }); // the caller's discard, whether or not the file is still there
        expect((await readAll(await storage().get("moved/file.jpg"))).equals(bytes)).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("localFile gives a local driver's file of an object, or nothing for a remote driver", async () => {
      const bytes = patternBytes(50_001, 9);
      await storage().put("local/file.jpg", bytes, { contentType: "image/jpeg", size: bytes.length });
      const local = await storage().localFile("local/file.jpg");
      if (local === undefined) {
        expect(await storage().localFile("local/missing.jpg")).toBeUndefined();
      } else {
        expect(local.size).toBe(bytes.length);
        expect((await readFile(local.path)).equals(bytes)).toBe(true);
        await expect(storage().localFile("local/missing.jpg")).rejects.toBeInstanceOf(ObjectNotFoundError);
      }
      await expect(storage().localFile("../escape")).rejects.toThrow();
    });

    it("stores an empty object", async () => {
      await storage().put("roundtrip/empty.bin", Buffer.alloc(0), { contentType: "application/octet-stream", size: 0 });
      expect(await storage().head("roundtrip/empty.bin")).toMatchObject({ size: 0 });
      expect((await readAll(await storage().get("roundtrip/empty.bin"))).length).toBe(0);
    });

    it("replaces an object that is put again", async () => {
      const first = patternBytes(1000, 3);
      const second = patternBytes(1000, 4);
      await storage().put("roundtrip/again.webp", first, { contentType: "image/webp", size: 1000 });
      const before = await storage().head("roundtrip/again.webp");
      await storage().put("roundtrip/again.webp", second, { contentType: "image/webp", size: 1000 });
      expect((await readAll(await storage().get("roundtrip/again.webp"))).equals(second)).toBe(true);
      expect((await storage().head("roundtrip/again.webp"))?.etag).not.toBe(before?.etag);
    });

    it("heads an object with its size, content type and a quoted etag", async () => {
      const bytes = patternBytes(4321, 5);
      await storage().put("head/photo.jpg", bytes, { contentType: "image/jpeg", size: bytes.length });
      const head = await storage().head("head/photo.jpg");
      expect(head).toEqual({ size: 4321, contentType: "image/jpeg", etag: expect.stringMatching(/^"[^"]+"$/) });
    });

    it("reports missing objects: get throws ObjectNotFoundError, head returns null", async () => {
      await expect(storage().get("missing/nothing.jpg")).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await storage().head("missing/nothing.jpg")).toBeNull();
      await storage().put("missing/dir/child.jpg", Buffer.from("x"), { contentType: "image/jpeg", size: 1 });
      await expect(storage().get("missing/dir")).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await storage().head("missing/dir")).toBeNull();
    });

    it("deletes objects, ignoring keys that do not exist", async () => {
      await storage().put("delete/a.jpg", Buffer.from("a"), { contentType: "image/jpeg", size: 1 });
      await storage().put("delete/b.jpg", Buffer.from("b"), { contentType: "image/jpeg", size: 1 });
      await storage().put("delete/keep.jpg", Buffer.from("k"), { contentType: "image/jpeg", size: 1 });
      await storage().delete(["delete/a.jpg", "delete/b.jpg", "delete/never-existed.jpg"]);
      await storage().delete(["delete/a.jpg", "delete/a.jpg"]);
      await storage().delete([]);
      expect(await storage().head("delete/a.jpg")).toBeNull();
      expect(await storage().head("delete/b.jpg")).toBeNull();
      expect(await storage().head("delete/keep.jpg")).not.toBeNull();
    });

    it("deletes everything under a prefix and nothing else", async () => {
      const keys = ["album-1/a.jpg", "album-1/sub/b.png", "album-10/c.jpg", "album-1.jpg", "other/album-1/d.jpg"];
      for (const key of keys)
        await storage().put(key, Buffer.from(key), { contentType: "image/jpeg", size: key.length });
      await storage().deletePrefix("album-1");
      await storage().deletePrefix("album-1");
      await storage().deletePrefix("never-used");
      expect(await storage().head("album-1/a.jpg")).toBeNull();
      expect(await storage().head("album-1/sub/b.png")).toBeNull();
      for (const key of ["album-10/c.jpg", "album-1.jpg", "other/album-1/d.jpg"]) {
        expect(await storage().head(key)).not.toBeNull();
      }
    });

    it("gives a URL that answers a GET with the object's bytes", async () => {
      const bytes = patternBytes(70_000, 6);
      await storage().put("url/served.png", bytes, { contentType: "image/png", size: bytes.length });
      const url = await storage().url("url/served.png");
      expect(new URL(url).protocol).toMatch(/^https?:$/);
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it("presigns a PUT that stores the uploaded bytes", async () => {
      const bytes = patternBytes(50_000, 7);
      const presigned = await storage().presignPut("presigned/upload.jpg", {
        contentType: "image/jpeg",
        size: bytes.length,
        expiresInSeconds: 300,
      });
      expect(presigned.headers["Content-Type"]).toBe("image/jpeg");
      const response = await fetch(presigned.url, {
        method: "PUT",
        headers: presigned.headers,
        body: new Uint8Array(bytes),
      });
      expect(response.status).toBe(200);
      expect(await storage().head("presigned/upload.jpg")).toMatchObject({
        size: bytes.length,
        contentType: "image/jpeg",
      });
      expect((await readAll(await storage().get("presigned/upload.jpg"))).equals(bytes)).toBe(true);
    });

    it.each(
      INVALID_KEYS.map((key) => [JSON.stringify(key.length > 20 ? `${key.slice(0, 8)}…(${key.length})` : key), key]),
    )("refuses the invalid key %s everywhere", async (_label, key) => {
      const put = { contentType: "image/jpeg", size: 1 };
      await expect(storage().put(key, Buffer.from("x"), put)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(storage().get(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(storage().head(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(storage().delete(["valid/key.jpg", key])).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(storage().deletePrefix(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(storage().url(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(storage().presignPut(key, { ...put, expiresInSeconds: 60 })).rejects.toBeInstanceOf(InvalidKeyError);
    });

    it("fails a put whose stream is shorter than its size and stores nothing", async () => {
      const bytes = patternBytes(200_000, 8);
      const put = storage().put("short/stream.jpg", lingeringStream(bytes), {
        contentType: "image/jpeg",
        size: bytes.length + 1,
      });
      await expect(put).rejects.toBeInstanceOf(ObjectSizeMismatchError);
      expect(await storage().head("short/stream.jpg")).toBeNull();
    });

    it("fails a put whose stream is longer than its size and stores nothing", async () => {
      const bytes = patternBytes(200_000, 9);
      const put = storage().put("long/stream.jpg", chunkedStream(bytes), {
        contentType: "image/jpeg",
        size: bytes.length - 1,
      });
      await expect(put).rejects.toBeInstanceOf(ObjectSizeMismatchError);
      expect(await storage().head("long/stream.jpg")).toBeNull();
    });

    it("fails a put whose Buffer does not match its size", async () => {
      const put = storage().put("mismatch/buffer.jpg", Buffer.from("abc"), { contentType: "image/jpeg", size: 4 });
      await expect(put).rejects.toBeInstanceOf(ObjectSizeMismatchError);
      expect(await storage().head("mismatch/buffer.jpg")).toBeNull();
    });

    it("keeps the previous object when a replacing put fails", async () => {
      const original = patternBytes(300_000, 10);
      await storage().put("failed/replace.jpg", original, { contentType: "image/jpeg", size: original.length });
      const failing = lingeringStream(patternBytes(200_000, 11));
      await expect(
        storage().put("failed/replace.jpg", failing, { contentType: "image/jpeg", size: original.length }),
      ).rejects.toBeInstanceOf(ObjectSizeMismatchError);
      expect((await readAll(await storage().get("failed/replace.jpg"))).equals(original)).toBe(true);
    });

    it("passes its health check", async () => {
      await expect(storage().check()).resolves.toBeUndefined();
    });
  });
}
