import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage, storageEnvSchema } from "./config.ts";

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

  it("loads the AWS SDK only once an S3 storage is used, and a body failing meanwhile is the call's error", async () => {
    // A child process: the test runner's own module loader would hide what Node loads.
    const script = `
      const { createStorage } = await import(${JSON.stringify(new URL("./index.ts", import.meta.url).href)});
      const { createRequire } = await import("node:module");
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes("@aws-sdk"));
      const options = { dataDir: ${JSON.stringify(dataDir)}, publicUrl: "http://127.0.0.1:4000", signingSecret: "s" };
      const before = loaded();
      createStorage({ env: {}, ...options });
      const filesystem = loaded();
      const env = { S3_BUCKET: "photos", S3_PUBLIC_URL: "https://cdn.example.test", S3_ACCESS_KEY_ID: "id",
        S3_SECRET_ACCESS_KEY: "secret" };
      const s3 = createStorage({ env, ...options });
      await s3.url("a/b.png");
      const created = loaded();
      // The first S3 call loads the SDK meanwhile; a body failing then is still the call's error.
      const put = { contentType: "image/png", size: 3 };
      const missing = await s3.putFile("a/c.png", "/nonexistent/original", put).then(() => "stored", (e) => e.code);
      const used = loaded();
      await s3.presignPut("a/b.png", { ...put, expiresInSeconds: 60 });
      console.log(JSON.stringify({ before, filesystem, created, missing, used }));
    `;
    const node = promisify(execFile);
    const { stdout } = await node(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual({
      before: false,
      filesystem: false,
      created: false,
      missing: "ENOENT",
      used: true,
    });
  });
});
