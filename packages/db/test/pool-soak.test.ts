/**
 * A small pool under steady load for a few seconds, as the gateway's pools are under a benchmark:
 * many callers at once, each sending its next statement as soon as the last one answers, so the
 * pool's queue never empties. Every answer must be its own statement's, the pool must keep to its
 * connections, and a statement late in the run must cost what one early in it did.
 */

import { useTestDatabase } from "@darkroom/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../src/index.ts";

const CALLERS = 64;
const STATEMENTS_PER_CALLER = 400; // 25,600 statements
const POOL_SIZE = 2;

let database: Awaited<ReturnType<typeof useTestDatabase>>;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database?.close());

describe("a postgres.js pool under steady load", () => {
  it("answers every statement of 64 callers through 2 connections, at the same cost from first to last", async () => {
    const pool = createDb(database.url, { max: POOL_SIZE });
    try {
      const total = CALLERS * STATEMENTS_PER_CALLER;
      const finishedAt: number[] = []; // when each statement answered, in order of answers
      const wrong: string[] = [];
      let mostConnections = 0;

      const caller = async (id: number) => {
        for (let i = 0; i < STATEMENTS_PER_CALLER; i++) {
          const [row] = await pool.sql<{ caller: number; step: number }[]>`
            select ${id}::int as caller, ${i}::int + 1 as step`;
          if (row?.caller !== id || row.step !== i + 1) wrong.push(`${id}/${i}: ${JSON.stringify(row)}`);
          finishedAt.push(performance.now());
        }
      };
      // Counts this database's backends (the watcher's own included) while the callers run.
      let running = true;
      const watch = async () => {
        while (running) {
          const [row] = await database.sql<{ count: number }[]>`
            select count(*)::int as count from pg_stat_activity where datname = current_database()`;
          mostConnections = Math.max(mostConnections, (row?.count ?? 0) - 1);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      const started = performance.now();
      const watching = watch();
      await Promise.all(Array.from({ length: CALLERS }, (_, id) => caller(id)));
      running = false;
      await watching;
      const seconds = (performance.now() - started) / 1000;

      expect(wrong).toEqual([]);
      expect(finishedAt).toHaveLength(total);
      expect(seconds).toBeLessThan(60);
      // The main pool's connections, never more; the `reads` pool is never used here.
      expect(mostConnections).toBeGreaterThan(0);
      expect(mostConnections).toBeLessThanOrEqual(POOL_SIZE);

      // Time per statement over the second fifth of the run (the first warms up) and the last fifth.
      const fifth = Math.floor(total / 5);
      const timeOf = (from: number) =>
        ((finishedAt[from + fifth - 1] as number) - (finishedAt[from] as number)) / (fifth - 1);
      const early = timeOf(fifth);
      const late = timeOf(total - fifth);
      // Work that grows with the statements sent so far shows here; a shared machine makes one fifth
      // up to about 1.5x slower than another, so only a gross growth fails the bound.
      expect(late).toBeLessThan(3 * early);
    } finally {
      await pool.close();
    }
  });
});
