import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../gateway/test/helpers.ts";
import { parseOptimizerConfig } from "../src/env.ts";
import { jobsAtOnce, type Optimizer, startOptimizer } from "../src/worker.ts";

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
    const config = parseOptimizerConfig({
      DATABASE_URL: gateway.database.url,
      DATA_DIR: gateway.dataDir,
      OPTIMIZER_CONCURRENCY: "6",
      LOG_LEVEL: "warn",
    });
    expect(jobsAtOnce(config)).toBe(12);
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    optimizer = await startOptimizer({
      config,
      db: gateway.database.db,
      sql: gateway.database.sql,
      storage: gateway.storage,
      databaseUrl: gateway.database.url,
      log: pino({ level: "warn" }, sink),
    });
    const workers = await gateway.database.sql<{ count: number }[]>`
      select count(*)::int as count from optimizer_heartbeats`;
    expect(workers[0]?.count).toBe(12); // every worker beats from the start
    expect(lines.filter((line) => /maxPoolSize|pool/i.test(line))).toEqual([]);
  });
});
