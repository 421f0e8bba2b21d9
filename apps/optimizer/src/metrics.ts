import { createServer, type Server } from "node:http";
import type { WorkerEvents } from "graphile-worker";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The optimizer's Prometheus metrics: jobs by task and outcome, and how long they take. */
export function createOptimizerMetrics(events: WorkerEvents) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "darkroom_optimizer_" });
  const jobs = new Counter({
    name: "darkroom_jobs_total",
    help: "Jobs run, by task and outcome (success; error: will be retried; failed: out of attempts)",
    labelNames: ["task", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "darkroom_job_duration_seconds",
    help: "Job duration by task (optimize_media is the optimization of one file)",
    labelNames: ["task"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  const started = new Map<string, number>();
  events.on("job:start", ({ job }) => {
    started.set(job.id, performance.now());
  });
  events.on("job:success", ({ job }) => jobs.inc({ task: job.task_identifier, outcome: "success" }));
  events.on("job:error", ({ job }) => jobs.inc({ task: job.task_identifier, outcome: "error" }));
  events.on("job:failed", ({ job }) => jobs.inc({ task: job.task_identifier, outcome: "failed" }));
  events.on("job:complete", ({ job }) => {
    const start = started.get(job.id);
    started.delete(job.id);
    if (start !== undefined) duration.observe({ task: job.task_identifier }, (performance.now() - start) / 1000);
  });
  return registry;
}

/** Serves `GET /metrics` on `port` (the optimizer has no other HTTP surface). */
export function serveMetrics(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    if (request.method !== "GET" || request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": registry.contentType }).end(await registry.metrics());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
