import type { AddressInfo } from "node:net";
import { body, type Gateway, startGateway, upload } from "@darkroom/testing/gateway";
import { PHOTOS, photo, startOptimizerBeside, waitFor } from "@darkroom/testing/optimizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveMetrics } from "../../apps/optimizer/src/metrics.ts";
import type { Optimizer } from "../../apps/optimizer/src/worker.ts";

let gateway: Gateway;
let optimizer: Optimizer;

beforeAll(async () => {
  gateway = await startGateway();
  optimizer = await startOptimizerBeside(gateway);
});
afterAll(async () => {
  await optimizer?.stop();
  await gateway?.close();
});

describe("optimizer metrics", () => {
  it("count jobs by task and outcome and time them, served as Prometheus text", async () => {
    const { apiKey } = await gateway.createAgency();
    const bad = (await photo(PHOTOS.landscape)).subarray(0, 2048);
    const ids = [
      (await body(await upload(gateway, apiKey, await photo(PHOTOS.landscape)))).id,
      (await body(await upload(gateway, apiKey, bad))).id,
    ];
    await waitFor("both files to settle", async () => {
      const rows = await gateway.database.sql<{ optimization: string }[]>`
        select optimization from media where id in ${gateway.database.sql(ids)}`;
      return rows.every((row) => row.optimization === "success" || row.optimization === "failed") ? true : undefined;
    });
    const server = await serveMetrics(optimizer.metrics, 0, "127.0.0.1");
    try {
      const { port } = server.address() as AddressInfo;
      // A job is counted when its task returns and timed once graphile-worker has recorded its completion,
      // a moment later: both are waited for. The corrupt file ends `failed` but its job succeeds (no retry).
      const text = await waitFor("the job counters", async () => {
        const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return /darkroom_job_duration_seconds_count\{task="optimize_media"\} 2/.test(scraped) ? scraped : undefined;
      });
      expect(text).toMatch(/darkroom_jobs_total\{task="optimize_media",outcome="success"\} 2/);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
