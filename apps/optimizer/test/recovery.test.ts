import { useTestDatabase } from "@darkroom/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRecovery, DEAD_AFTER_SECONDS } from "../src/recovery.ts";

let database: Awaited<ReturnType<typeof useTestDatabase>>;

beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database?.close());
beforeEach(async () => {
  await database.sql`delete from graphile_worker._private_jobs`;
  await database.sql`delete from optimizer_heartbeats`;
});

/** A queued job, locked by `workerId` `secondsAgo` seconds ago, as a worker that took it leaves it. */
async function jobLockedBy(workerId: string, secondsAgo: number): Promise<string> {
  const [job] = await database.sql<{ id: string }[]>`
    select id from graphile_worker.add_job('optimize_media', '{"mediaId": 1, "generation": 1}'::json)`;
  await database.sql`
    update graphile_worker._private_jobs
    set locked_by = ${workerId}, locked_at = now() - make_interval(secs => ${secondsAgo})
    where id = ${job?.id ?? ""}`;
  return job?.id ?? "";
}

async function heartbeatOf(workerId: string, secondsAgo: number) {
  await database.sql`
    insert into optimizer_heartbeats (worker_id, last_seen)
    values (${workerId}, now() - make_interval(secs => ${secondsAgo}))`;
}

async function lockOf(jobId: string): Promise<string | null> {
  const [job] = await database.sql<{ locked_by: string | null }[]>`
    select locked_by from graphile_worker._private_jobs where id = ${jobId}`;
  if (!job) throw new Error(`job ${jobId} is gone`);
  return job.locked_by;
}

describe("unlockDeadWorkers", () => {
  const dead = DEAD_AFTER_SECONDS + 30;

  it("unlocks the jobs of a worker whose heartbeat is older than DEAD_AFTER_SECONDS", async () => {
    const job = await jobLockedBy("killed", dead + 60);
    await heartbeatOf("killed", dead);
    expect(await createRecovery(database.sql).unlockDeadWorkers()).toEqual(["killed"]);
    expect(await lockOf(job)).toBeNull();
  });

  it("unlocks the jobs of a worker that locked them long ago and never sent a heartbeat", async () => {
    const job = await jobLockedBy("silent", dead);
    expect(await createRecovery(database.sql).unlockDeadWorkers()).toEqual(["silent"]);
    expect(await lockOf(job)).toBeNull();
  });

  it("keeps the jobs of a live worker, however long they have run", async () => {
    const job = await jobLockedBy("busy", 600);
    await heartbeatOf("busy", 2);
    expect(await createRecovery(database.sql).unlockDeadWorkers()).toEqual([]);
    expect(await lockOf(job)).toBe("busy");
  });

  it("keeps a job locked moments ago by a worker that has not beaten yet", async () => {
    const job = await jobLockedBy("starting", 3);
    expect(await createRecovery(database.sql).unlockDeadWorkers()).toEqual([]);
    expect(await lockOf(job)).toBe("starting");
  });

  it("sorts out several workers at once, each by its own heartbeat", async () => {
    const jobs = {
      deadA: await jobLockedBy("dead-a", dead),
      deadA2: await jobLockedBy("dead-a", dead),
      deadB: await jobLockedBy("dead-b", dead),
      live: await jobLockedBy("live", dead),
    };
    await heartbeatOf("dead-a", dead);
    await heartbeatOf("live", 1);
    expect((await createRecovery(database.sql).unlockDeadWorkers()).sort()).toEqual(["dead-a", "dead-b"]);
    expect(await lockOf(jobs.deadA)).toBeNull();
    expect(await lockOf(jobs.deadA2)).toBeNull();
    expect(await lockOf(jobs.deadB)).toBeNull();
    expect(await lockOf(jobs.live)).toBe("live");
  });

  it("forgets heartbeats older than a day", async () => {
    await heartbeatOf("long-gone", 2 * 86_400);
    await heartbeatOf("recent", 60);
    await createRecovery(database.sql).unlockDeadWorkers();
    const rows = await database.sql<{ worker_id: string }[]>`select worker_id from optimizer_heartbeats`;
    expect(rows.map((row) => row.worker_id)).toEqual(["recent"]);
  });
});

describe("heartbeat", () => {
  it("records now for every worker added, and stops for removed ones", async () => {
    const recovery = createRecovery(database.sql);
    await recovery.heartbeat(); // no worker yet: nothing to write
    expect(await database.sql`select * from optimizer_heartbeats`).toHaveLength(0);

    recovery.add("worker-1");
    recovery.add("worker-2");
    await recovery.heartbeat();
    const fresh = await database.sql<{ worker_id: string; age: number }[]>`
      select worker_id, extract(epoch from now() - last_seen)::float8 as age
      from optimizer_heartbeats order by worker_id`;
    expect(fresh.map((row) => row.worker_id)).toEqual(["worker-1", "worker-2"]);
    for (const row of fresh) expect(row.age).toBeLessThan(5);

    // A beat refreshes an old heartbeat in place.
    await database.sql`update optimizer_heartbeats set last_seen = now() - interval '1 hour'`;
    recovery.remove("worker-2");
    await recovery.heartbeat();
    const later = await database.sql<{ worker_id: string; stale: boolean }[]>`
      select worker_id, last_seen < now() - interval '1 minute' as stale
      from optimizer_heartbeats order by worker_id`;
    expect(later).toEqual([
      { worker_id: "worker-1", stale: false },
      { worker_id: "worker-2", stale: true },
    ]);
  });
});
