import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage, storageEnvSchema } from "../src/config.ts";

describe("storageEnvSchema", () => {
  it("accepts an empty environment and a full S3 one", () => {
    expect(storageEnvSchema.parse({})).toEqual({});
    const env = {
      S3_BUCKET: "photos",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_REGION: "eu-west-1",
      S3_ACCESS_KEY_ID: "id",
      S3_SECRET_ACCESS_KEY: "secret",
      S3_FORCE_PATH_STYLE: "true",
      S3_PUBLIC_URL: "https://cdn.example.test/photos",
    };
    expect(storageEnvSchema.parse(env)).toEqual(env);
  });

  it("refuses a malformed path-style flag or public URL", () => {
    expect(storageEnvSchema.safeParse({ S3_FORCE_PATH_STYLE: "yes" }).success).toBe(false);
    expect(storageEnvSchema.safeParse({ S3_PUBLIC_URL: "cdn.example.test" }).success).toBe(false);
    expect(storageEnvSchema.safeParse({ S3_PUBLIC_URL: "ftp://cdn.example.test" }).success).toBe(false);
  });
});

describe("createStorage", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-storage-config-"));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps files under <dataDir>/objects when no bucket is configured", async () => {
    const storage = createStorage({
      env: {},
      dataDir,
      publicUrl: "http://127.0.0.1:4000",
      signingSecret: "a-secret-of-some-length",
    });
    expect(storage.driver).toBe("filesystem");
    await storage.check();
    await storage.put("a/b.png", Buffer.from("png"), { contentType: "image/png", size: 3 });
    expect((await stat(path.join(dataDir, "objects", "a", "b.png"))).size).toBe(3);
    expect(await storage.url("a/b.png")).toBe("http://127.0.0.1:4000/files/a/b.png");
  });

  it("refuses half a pair of S3 credentials", () => {
    const build = () =>
      createStorage({
        env: { S3_BUCKET: "photos", S3_ACCESS_KEY_ID: "id" },
        dataDir,
        publicUrl: "http://127.0.0.1:4000",
        signingSecret: "a-secret-of-some-length",
      });
    expect(build).toThrow(/both/);
  });
});
