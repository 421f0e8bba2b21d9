import type { taskPayloads } from "@darkroom/domain";
import { type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Sql } from "./client.ts";

export interface AddJobOptions {
  maxAttempts?: number;
  /** A job key replaces a pending job with the same key instead of adding a second one. */
  jobKey?: string;
  runAt?: Date;
  /** Jobs of one named queue run one at a time, in order. */
  queueName?: string;
}

/** A drizzle database or transaction (postgres.js driver). */
export type Executor = { execute(query: SQL): PromiseLike<unknown> };

/**
 * The call of `graphile_worker.add_job` that enqueues `task` with `payload` (an SQL expression of
 * type json), for a statement that enqueues a job with the rows it writes.
 */
export function addJobCall(task: string, payload: SQL, options: AddJobOptions = {}): SQL {
  return sql`graphile_worker.add_job(
      ${task},
      ${payload},
      max_attempts => ${options.maxAttempts ?? 25},
      job_key => ${options.jobKey ?? null},
      run_at => ${options.runAt ?? null},
      queue_name => ${options.queueName ?? null}
    )`;
}

/**
 * Enqueues a graphile-worker job with `graphile_worker.add_job` on the caller's connection, so the
 * job commits (or rolls back) together with the rows written in the same transaction.
 */
export async function addJob(tx: Executor, task: string, payload: unknown, options: AddJobOptions = {}) {
  const rows = (await tx.execute(
    sql`select id from ${addJobCall(task, sql`${JSON.stringify(payload)}::json`, options)}`,
  )) as Array<{ id: string }>;
  return Number(rows[0]?.id);
}

/**
 * Queues the optimization of a file for its current request (`generation`), in the caller's
 * transaction; the original's key lets the optimizer decode while it claims the file.
 */
export function queueOptimization(tx: Executor, file: { id: number; generation: number; originalKey: string }) {
  const payload: z.input<typeof taskPayloads.optimize_media> = {
    mediaId: file.id,
    generation: file.generation,
    originalKey: file.originalKey,
  };
  return addJob(tx, "optimize_media", payload);
}

/**
 * The jobs waiting to run (not locked, attempts left), counted by task, over postgres.js directly:
 * the queue's depth as any process sees it (the gateway's metrics read it at scrape time).
 */
export async function waitingJobsByTask(client: Sql): Promise<{ task: string; waiting: number }[]> {
  return client<{ task: string; waiting: number }[]>`
    select t.identifier as task, count(*)::int as waiting
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where j.locked_at is null and j.attempts < j.max_attempts
    group by t.identifier`;
}
