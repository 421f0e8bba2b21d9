import { createServer } from "node:net";
import { type RunningS3rver, startS3rver, TEST_BUCKET } from "@darkroom/testing/s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage } from "../src/config.ts";
import { createS3Storage, type S3StorageOptions } from "../src/s3.ts";
import { describeStorageContract } from "./contract.ts";
import { patternBytes, readAll } from "./support/bytes.ts";

function s3Options(endpoint: string): S3StorageOptions {
  return {
    bucket: TEST_BUCKET,
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  };
}

describeStorageContract("s3", async () => {
  const server = await startS3rver();
  return { storage: createS3Storage(s3Options(server.endpoint)), teardown: () => server.close() };
});

describe("s3 storage", () => {
  let server: RunningS3rver;

  beforeAll(async () => {
    server = await startS3rver();
  });

  afterAll(async () => {
    await server.close();
  });

  it("presigns a PUT that binds its content type and length", async () => {
    const storage = createS3Storage(s3Options(server.endpoint));
    const { url, headers } = await storage.presignPut("bound/a.jpg", {
      contentType: "image/jpeg",
      size: 42,
      expiresInSeconds: 900,
    });
    const query = new URL(url).searchParams;
    expect(query.get("X-Amz-SignedHeaders")?.split(";")).toEqual(["content-length", "content-type", "host"]);
    expect(query.get("X-Amz-Expires")).toBe("900");
    expect([...query.keys()].filter((name) => name.toLowerCase().startsWith("x-amz-checksum"))).toEqual([]);
    expect(headers).toEqual({ "Content-Type": "image/jpeg", "Content-Length": "42" });
  });

  it("has no local files: readers get the object's bytes from the store", async () => {
    const storage = createS3Storage(s3Options(server.endpoint));
    await storage.put("remote/a.jpg", Buffer.from("hello"), { contentType: "image/jpeg", size: 5 });
    expect(await storage.localFile("remote/a.jpg")).toBeUndefined();
  });

  it("presigns GET URLs for an hour by default, clamped to 60 seconds..7 days", async () => {
    const expiresFor = async (presignExpiresSeconds?: number) => {
      const options = { ...s3Options(server.endpoint), presignExpiresSeconds };
      const url = await createS3Storage(options).url("expiry/a.jpg");
      return new URL(url).searchParams.get("X-Amz-Expires");
    };
    expect(await expiresFor()).toBe("3600");
    expect(await expiresFor(5)).toBe("60");
    expect(await expiresFor(30 * 24 * 3600)).toBe(String(7 * 24 * 3600));
  });

  it("serves from the public URL when one is configured", async () => {
    const publicUrl = `${server.endpoint}/${TEST_BUCKET}`;
    const storage = createS3Storage({ ...s3Options(server.endpoint), publicUrl: `${publicUrl}/` });
    const bytes = patternBytes(1000, 20);
    await storage.put("public/a.gif", bytes, { contentType: "image/gif", size: bytes.length });
    const url = await storage.url("public/a.gif");
    expect(url).toBe(`${publicUrl}/public/a.gif`);
    const response = await fetch(url);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("deletes more than one batch and one listing page under a prefix", async () => {
    const storage = createS3Storage(s3Options(server.endpoint));
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, "0")}.jpg`);
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(
        keys
          .slice(start, start + 50)
          .map((key) => storage.put(key, Buffer.from("x"), { contentType: "image/jpeg", size: 1 })),
      );
    }
    await storage.put("many-kept/a.jpg", Buffer.from("x"), { contentType: "image/jpeg", size: 1 });
    await storage.deletePrefix("many");
    expect(await storage.head("many/0000.jpg")).toBeNull();
    expect(await storage.head("many/1004.jpg")).toBeNull();
    expect(await storage.head("many-kept/a.jpg")).not.toBeNull();
  }, 30_000);

  it("fails its health check for a missing bucket or an unreachable endpoint", async () => {
    const missingBucket = createS3Storage({ ...s3Options(server.endpoint), bucket: "no-such-bucket" });
    await expect(missingBucket.check()).rejects.toThrow();
    const unreachable = createS3Storage(s3Options(`http://127.0.0.1:${await closedPort()}`));
    await expect(unreachable.check()).rejects.toThrow();
  });

  it("is what createStorage builds when S3_BUCKET is set", async () => {
    const storage = createStorage({
      env: {
        S3_BUCKET: TEST_BUCKET,
        S3_ENDPOINT: server.endpoint,
        S3_FORCE_PATH_STYLE: "1",
        S3_ACCESS_KEY_ID: "S3RVER",
        S3_SECRET_ACCESS_KEY: "S3RVER",
      },
      dataDir: "/nonexistent",
      publicUrl: "http://127.0.0.1:1",
      signingSecret: "unused-by-s3",
    });
    expect(storage.driver).toBe("s3");
    await storage.put("configured/a.avif", Buffer.from("avif"), { contentType: "image/avif", size: 4 });
    expect((await readAll(await storage.get("configured/a.avif"))).toString()).toBe("avif");
    await storage.check();
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once("error", reject)
      .listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() =>
          typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
        );
      });
  });
}
