import type { Sql } from "@darkroom/db";

/** How often live workers say so, and how long silence means a worker died. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const DEAD_AFTER_SECONDS = 30;

/**
 * graphile-worker keeps a killed worker's jobs locked for hours. Each optimizer records a heartbeat
 * for its workers; any optimizer unlocks the jobs of workers whose heartbeat stopped (or that
 * locked a job and never sent one), so their files finish within seconds of an optimizer running.
 */
export function createRecovery(sql: Sql) {
  const workerIds = new Set<string>();

  async function heartbeat() {
    if (workerIds.size === 0) return;
    await sql`
      insert into optimizer_heartbeats (worker_id, last_seen)
      select unnest(${[...workerIds]}::text[]), now()
      on conflict (worker_id) do update set last_seen = excluded.last_seen`;
  }

  /** Unlocks the jobs of dead workers; returns their ids. */
  async function unlockDeadWorkers(): Promise<string[]> {
    const dead = await sql<{ locked_by: string }[]>`
      select distinct j.locked_by
      from graphile_worker._private_jobs j
      left join optimizer_heartbeats h on h.worker_id = j.locked_by
      where j.locked_by is not null
        and j.locked_at < now() - make_interval(secs => ${DEAD_AFTER_SECONDS})
        and (h.last_seen is null or h.last_seen < now() - make_interval(secs => ${DEAD_AFTER_SECONDS}))`;
    const ids = dead.map((row) => row.locked_by);
    if (ids.length > 0) {
      await sql`select graphile_worker.force_unlock_workers(${ids}::text[])`;
    }
    await sql`delete from optimizer_heartbeats where last_seen < now() - interval '1 day'`;
    return ids;
  }

  return {
    add: (workerId: string) => workerIds.add(workerId),
    remove: (workerId: string) => workerIds.delete(workerId),
    heartbeat,
    unlockDeadWorkers,
  };
}
