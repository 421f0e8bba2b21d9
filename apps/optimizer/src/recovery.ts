import { type Sql, workerRecoveryRepository } from "@darkroom/db";

/** How often live workers say so, and how long silence means a worker died. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const DEAD_AFTER_SECONDS = 30;

/**
 * graphile-worker keeps a killed worker's jobs locked for hours. Each optimizer records a heartbeat
 * for its worker pool (whose id locks its jobs); any optimizer unlocks the jobs of pools whose
 * heartbeat stopped (or that locked a job and never sent one), so their files finish within seconds
 * of an optimizer running.
 */
export function createRecovery(sql: Sql) {
  const repository = workerRecoveryRepository(sql);
  const workerIds = new Set<string>();

  /** Unlocks the jobs of dead workers; returns their ids. */
  async function unlockDeadWorkers(): Promise<string[]> {
    const ids = await repository.unlockJobsOfSilentWorkers(DEAD_AFTER_SECONDS);
    await repository.forgetOldHeartbeats();
    return ids;
  }

  return {
    add: (workerId: string) => workerIds.add(workerId),
    remove: (workerId: string) => workerIds.delete(workerId),
    heartbeat: () => repository.recordHeartbeats([...workerIds]),
    unlockDeadWorkers,
  };
}
