import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { body, type Gateway, startGateway, upload } from "@darkroom/testing/gateway";
import { PHOTOS, photo, repositoryRoot, waitFor } from "@darkroom/testing/optimizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_AFTER_SECONDS, HEARTBEAT_INTERVAL_MS } from "../../apps/optimizer/src/recovery.ts";

let gateway: Gateway;
let apiKey: string;
const children: Array<{ child: ChildProcess; output: string[] }> = [];

beforeAll(async () => {
  gateway = await startGateway();
  apiKey = (await gateway.createAgency("Crash tests")).apiKey;
});

afterAll(async () => {
  for (const { child } of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, "exit");
    child.kill("SIGTERM"); // a graceful stop closes its connections before the database is dropped
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await gateway?.close();
});

/** `pnpm start` of the optimizer, as a real process over the gateway's database and storage. */
function spawnOptimizer() {
  const output: string[] = [];
  const child = spawn(process.execPath, ["--import", "tsx", "apps/optimizer/src/main.ts"], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      DATABASE_URL: gateway.database.url,
      DATA_DIR: gateway.dataDir,
      OPTIMIZER_CONCURRENCY: "2",
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  children.push({ child, output });
  return { child, output };
}

/** Fails fast, with the child's output, when an optimizer exits on its own. */
function stillRunning({ child, output }: { child: ChildProcess; output: string[] }) {
  if (child.exitCode !== null) {
    throw new Error(`the optimizer exited with code ${child.exitCode}: ${output.join("").slice(-2000)}`);
  }
}

type Status = "pending" | "in_progress" | "success" | "failed";

async function statuses(ids: number[]): Promise<Map<number, Status>> {
  const rows = await gateway.database.sql<{ id: number; optimization: Status }[]>`
    select id, optimization from media where id = any(${ids}::int[])`;
  return new Map(rows.map((row) => [row.id, row.optimization]));
}

async function lockedMediaIds(): Promise<number[]> {
  const rows = await gateway.database.sql<{ id: number }[]>`
    select (payload->>'mediaId')::int as id from graphile_worker._private_jobs
    where locked_by is not null order by id`;
  return rows.map((row) => row.id);
}

describe("an optimizer killed with SIGKILL mid-job", () => {
  it("leaves its files stuck until a new optimizer recovers them, once the dead worker's heartbeat is stale", async () => {
    // Eight large photos: at two jobs at a time, several seconds of work.
    const photos = await Promise.all([PHOTOS.large, PHOTOS.portrait, PHOTOS.alpha, PHOTOS.large].map(photo));
    const ids: number[] = [];
    for (const bytes of [...photos, ...photos]) {
      const response = await upload(gateway, apiKey, bytes);
      expect(response.status).toBe(201);
      ids.push((await body(response)).id);
    }

    const first = spawnOptimizer();
    await waitFor(
      "a file in progress",
      async () => {
        stillRunning(first);
        return [...(await statuses(ids)).values()].includes("in_progress") ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const exited = once(first.child, "exit");
    first.child.kill("SIGKILL");
    await exited;
    const killedAt = Date.now();
    expect(first.child.signalCode).toBe("SIGKILL");

    // Stuck: the dead worker's jobs stay locked, their files in progress (or still pending when it
    // died between locking a job and saying so); the rest wait.
    const afterKill = await statuses(ids);
    const locked = await lockedMediaIds();
    expect(locked.length).toBeGreaterThanOrEqual(1);
    expect(locked.filter((id) => afterKill.get(id) === "in_progress").length).toBeGreaterThanOrEqual(1);
    const unfinished = ids.filter((id) => afterKill.get(id) !== "success");
    expect(unfinished.length).toBeGreaterThanOrEqual(4);
    for (const id of unfinished) expect(["pending", "in_progress"]).toContain(afterKill.get(id));

    // A new optimizer finishes everything within two minutes.
    const second = spawnOptimizer();
    const restartedAt = Date.now();
    const recoveredAt = new Map<number, number>();
    await waitFor(
      "every file to be optimized after the restart",
      async () => {
        stillRunning(second);
        for (const [id, status] of await statuses(ids)) {
          if (status === "failed") throw new Error(`media ${id} failed after the restart`);
          if (status === "success" && !recoveredAt.has(id)) recoveredAt.set(id, Date.now());
        }
        return recoveredAt.size === ids.length ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(Date.now() - restartedAt).toBeLessThan(120_000);

    // The jobs of the killed worker were only taken back once its heartbeat was stale: a worker
    // silent for less than DEAD_AFTER_SECONDS may be alive. (It beat at most one interval before the kill.)
    const earliest = DEAD_AFTER_SECONDS * 1000 - HEARTBEAT_INTERVAL_MS - 2_000;
    for (const id of locked) expect(recoveredAt.get(id) ?? 0).toBeGreaterThan(killedAt + earliest);

    // Every file is a complete success, served through the gateway, and nothing is left queued.
    for (const id of ids) {
      const media = await body(await gateway.request(`/api/v1/media/${id}`, { apiKey }));
      expect(media).toMatchObject({ optimization: "success", optimizationError: null });
      expect(media.variants.map((v: { variantSize: string }) => v.variantSize)).toEqual(["128", "512", "1024"]);
      expect(media.blurhash).toHaveLength(28);
    }
    await waitFor("the job queue to drain", async () => {
      const [row] = await gateway.database.sql<{ count: number }[]>`
        select count(*)::int as count from graphile_worker._private_jobs`;
      return row?.count === 0 ? true : undefined;
    });
  }, 180_000);
});
