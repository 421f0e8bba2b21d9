import { EventEmitter } from "node:events";
import type { Database, Sql } from "@darkroom/db";
import type { ObjectStorage } from "@darkroom/storage";
import { type LogFunctionFactory, Logger, type Runner, run, type WorkerEvents } from "graphile-worker";
import type pino from "pino";
import type { Registry } from "prom-client";
import sharp from "sharp";
import type { OptimizerConfig } from "./env.ts";
import { createHeicDecoder } from "./heic.ts";
import { createOptimizerMetrics } from "./metrics.ts";
import { createRecovery, HEARTBEAT_INTERVAL_MS } from "./recovery.ts";
import { Slots } from "./slots.ts";
import { CLEANUP_CRONTAB, cleanupExpiredUploads } from "./tasks/cleanup-uploads.ts";
import { deliverWebhook } from "./tasks/deliver-webhook.ts";
import { importMedia } from "./tasks/import-media.ts";
import { optimizeMedia } from "./tasks/optimize-media.ts";
import { PRUNE_DELIVERIES_CRONTAB, pruneWebhookDeliveries } from "./tasks/prune-deliveries.ts";
import { publishListing } from "./tasks/publish-listing.ts";
import { removeObjects } from "./tasks/remove-objects.ts";

export interface OptimizerDeps {
  config: OptimizerConfig;
  db: Database;
  sql: Sql;
  storage: ObjectStorage;
  databaseUrl: string;
  log: pino.Logger;
}

export interface Optimizer {
  runner: Runner;
  /** Jobs by task and outcome, and their durations (Prometheus). */
  metrics: Registry;
  /** Stops taking jobs, lets running ones finish, and resolves when the worker has stopped. */
  stop: () => Promise<void>;
}

function workerLogger(log: pino.Logger): Logger {
  const factory: LogFunctionFactory = (scope) => (level, message, meta) => {
    const method = level === "warning" ? "warn" : level;
    log[method]({ ...scope, ...meta }, message);
  };
  return new Logger(factory);
}

/** libvips threads per job, so that jobs × threads matches the cores without oversubscribing them. */
export function threadsPerJob(cores: number, concurrency: number): number {
  return Math.max(1, Math.floor(cores / concurrency));
}

/**
 * Jobs the worker holds at once for each image slot: while one job's image is decoded and encoded,
 * another does its database and storage steps (taking the job, marking the file `in_progress`,
 * writing the variants, the final transaction), which leave a core idle for 15-30 ms a job.
 */
export const JOBS_PER_IMAGE_SLOT = 2;

/** Jobs one optimizer runs at once (of every task). */
export function jobsAtOnce(config: Pick<OptimizerConfig, "concurrency">): number {
  return config.concurrency * JOBS_PER_IMAGE_SLOT;
}

export async function startOptimizer(deps: OptimizerDeps): Promise<Optimizer> {
  const { config } = deps;
  sharp.cache(false);
  sharp.concurrency(threadsPerJob(config.cores, config.concurrency));
  const heicDecoder = createHeicDecoder({ threads: config.concurrency, timeoutMs: config.heicDecodeTimeoutMs });
  const context = {
    db: deps.db,
    storage: deps.storage,
    config,
    imageSlots: new Slots(config.concurrency),
    heicDecoder,
  };
  const recovery = createRecovery(deps.sql);

  // Our own emitter, so that no worker pool is created before we listen. graphile-worker locks a
  // job with the id of the worker pool that took it (not of the worker running it): the pool beats.
  const events: WorkerEvents = new EventEmitter();
  events.on("pool:create", ({ workerPool }) => {
    recovery.add(workerPool.id);
  });
  events.on("pool:release", ({ workerPool }) => {
    recovery.remove(workerPool.id);
  });
  const metrics = createOptimizerMetrics(events);
  const runner = await run({
    events,
    connectionString: deps.databaseUrl,
    concurrency: jobsAtOnce(config),
    // A connection for each job at once, plus graphile-worker's own (LISTEN, cron): its default of 10
    // would keep jobs waiting for one from 5 image slots up.
    maxPoolSize: jobsAtOnce(config) + 2,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: workerLogger(deps.log),
    crontab: [CLEANUP_CRONTAB, PRUNE_DELIVERIES_CRONTAB].join("\n"),
    taskList: {
      optimize_media: optimizeMedia(context),
      remove_objects: removeObjects(context),
      import_media: importMedia(context),
      cleanup_expired_uploads: cleanupExpiredUploads(context),
      prune_webhook_deliveries: pruneWebhookDeliveries(context),
      publish_listing: publishListing(context),
      deliver_webhook: deliverWebhook(context),
    },
  });

  const tick = async () => {
    try {
      await recovery.heartbeat();
      const unlocked = await recovery.unlockDeadWorkers();
      if (unlocked.length > 0) deps.log.warn({ workers: unlocked }, "unlocked the jobs of dead workers");
    } catch (error) {
      deps.log.warn({ err: error }, "heartbeat failed");
    }
  };
  await tick();
  const timer = setInterval(tick, HEARTBEAT_INTERVAL_MS);
  return {
    runner,
    metrics,
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await heicDecoder.close();
    },
  };
}
