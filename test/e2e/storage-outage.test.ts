import { createS3Storage } from "@darkroom/storage";
import { body, type Gateway, startGateway, upload } from "@darkroom/testing/gateway";
import { PHOTOS, photo, waitFor } from "@darkroom/testing/optimizer";
import { type RunningS3rver, startS3rver, TEST_BUCKET } from "@darkroom/testing/s3rver";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOptimizerConfig } from "../../apps/optimizer/src/env.ts";
import { type Optimizer, startOptimizer } from "../../apps/optimizer/src/worker.ts";

let s3: RunningS3rver;
let gateway: Gateway;
let optimizer: Optimizer | undefined;

beforeAll(async () => {
  s3 = await startS3rver();
  const storage = createS3Storage({
    bucket: TEST_BUCKET,
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  });
  gateway = await startGateway({}, { storage });
});
afterAll(async () => {
  await optimizer?.stop();
  await gateway?.close();
  await s3?.close();
});

describe("storage outage", () => {
  it("jobs retry while storage is down and finish when it returns; nothing is lost", async () => {
    const { apiKey } = await gateway.createAgency();
    const bytes = await photo(PHOTOS.landscape);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await body(await upload(gateway, apiKey, Buffer.concat([bytes, Buffer.from([i])])))).id);

    await s3.stop(); // storage goes away before any file is optimized
    optimizer = await startOptimizer({
      config: parseOptimizerConfig({ DATABASE_URL: gateway.database.url, LOG_LEVEL: "silent" }),
      db: gateway.database.db,
      sql: gateway.database.sql,
      storage: gateway.storage,
      databaseUrl: gateway.database.url,
      log: pino({ level: "silent" }),
    });
    const attempts = await waitFor("the jobs to fail once", async () => {
      const rows = await gateway.database.sql<{ attempts: number; last_error: string | null }[]>`
        select attempts, last_error from graphile_worker._private_jobs where attempts > 0 and last_error is not null`;
      return rows.length >= 3 ? rows : undefined;
    });
    expect(attempts.every((job) => job.attempts >= 1)).toBe(true);
    const states = await gateway.database.sql<{ optimization: string }[]>`select optimization from media`;
    expect(states.every((row) => row.optimization === "in_progress")).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 3000));
    s3 = await startS3rver({ port: s3.port, directory: s3.directory }); // storage is back, with every object
    const settled = await waitFor(
      "every file to be optimized",
      async () => {
        const rows = await gateway.database.sql<{ optimization: string }[]>`select optimization from media`;
        return rows.every((row) => row.optimization === "success") ? rows : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(settled).toHaveLength(3);
    for (const id of ids) {
      const media = await body(await gateway.request(`/api/v1/media/${id}`, { apiKey }));
      expect(media.variants).toHaveLength(3);
      const variant = await fetch(media.variants[2].url);
      expect(variant.status).toBe(200);
    }
  }, 120_000);
});
