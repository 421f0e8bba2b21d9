import type { Sql } from "./client.ts";

/**
 * The statements of the optimizer's recovery from killed workers: the heartbeats of live worker
 * pools in `optimizer_heartbeats`, and the unlocking of the jobs a silent pool left locked.
 */
export function workerRecoveryRepository(sql: Sql) {
  return {
    /** Records now as the last sign of life of each worker pool of `poolIds`. */
    async recordHeartbeats(poolIds: string[]): Promise<void> {
      if (poolIds.length === 0) return;
      await sql`
        insert into optimizer_heartbeats (worker_id, last_seen)
        select unnest(${poolIds}::text[]), now()
        on conflict (worker_id) do update set last_seen = excluded.last_seen`;
    },

    /**
     * Unlocks the jobs of the worker pools that locked a job more than `silentSeconds` ago and have
     * sent no heartbeat for as long (or never); returns their ids. graphile-worker 0.17 locks a job
     * with the id of its worker pool (`locked_by`), and keeps a killed pool's jobs locked for hours.
     * The only statement that reads graphile-worker's private tables: check it against the
     * `sql/*.sql` migrations of each new graphile-worker version.
     */
    async unlockJobsOfSilentWorkers(silentSeconds: number): Promise<string[]> {
      const silent = await sql<{ locked_by: string }[]>`
        select distinct j.locked_by
        from graphile_worker._private_jobs j
        left join optimizer_heartbeats h on h.worker_id = j.locked_by
        where j.locked_by is not null
          and j.locked_at < now() - make_interval(secs => ${silentSeconds})
          and (h.last_seen is null or h.last_seen < now() - make_interval(secs => ${silentSeconds}))`;
      const ids = silent.map((row) => row.locked_by);
      if (ids.length > 0) await sql`select graphile_worker.force_unlock_workers(${ids}::text[])`;
      return ids;
    },

    /** Deletes the heartbeats older than a day (of pools stopped or killed long ago). */
    async forgetOldHeartbeats(): Promise<void> {
      await sql`delete from optimizer_heartbeats where last_seen < now() - interval '1 day'`;
    },
  };
}
