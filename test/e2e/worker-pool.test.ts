import { Writable } from "node:stream";
import { type Gateway, startGateway } from "@darkroom/testing/gateway";
import { startOptimizerBeside } from "@darkroom/testing/optimizer";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsAtOnce, type Optimizer } from "../../apps/optimizer/src/worker.ts";

let gateway: Gateway;
let optimizer: Optimizer | undefined;
const lines: string[] = [];

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await optimizer?.stop();
  await gateway?.close();
});

describe("the optimizer's job runner", () => {
  it("has a database connection for every job it runs at once: no pool warning at 6 image slots", async () => {
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    optimizer = await startOptimizerBeside(gateway, { OPTIMIZER_CONCURRENCY: "6" }, pino({ level: "warn" }, sink));
    expect(jobsAtOnce({ concurrency: 6 })).toBe(12);
    const workers = await gateway.database.sql<{ count: number }[]>`
      select count(*)::int as count from optimizer_heartbeats`;
    // Its worker pool beats from the start: graphile-worker locks the jobs of all 12 with the pool's id.
    expect(workers[0]?.count).toBe(1);
    expect(lines.filter((line) => /maxPoolSize|pool/i.test(line))).toEqual([]);
  });
});
