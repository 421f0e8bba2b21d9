import type { Sql } from "./client.ts";

/**
 * The statements of the optimizer's recovery from killed workers: the heartbeats of live workers
 * in `optimizer_heartbeats`, and the unlocking of the jobs a silent worker left locked.
 */
export function workerRecoveryRepository(sql: Sql) {
  return {
    /** Records now as the last sign of life of each worker of `workerIds`. */
    async recordHeartbeats(workerIds: string[]): Promise<void> {
      if (workerIds.length === 0) return;
      await sql`
        insert into optimizer_heartbeats (worker_id, last_seen)
        select unnest(${workerIds}::text[]), now()
        on conflict (worker_id) do update set last_seen = excluded.last_seen`;
    },

    /**
     * Unlocks the jobs of the workers that locked a job more than `silentSeconds` ago and have sent
     * no heartbeat for as long (or never); returns their ids. graphile-worker 0.16 locks a job
     * with the id of its worker (`locked_by`), and keeps a killed worker's jobs locked for hours.
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

    /** Deletes the heartbeats older than a day (of workers stopped or killed long ago). */
    async forgetOldHeartbeats(): Promise<void> {
      await sql`delete from optimizer_heartbeats where last_seen < now() - interval '1 day'`;
    },
  };
}
