import { type Sql, waitingJobsByTask } from "@darkroom/db";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { routeDocs } from "../routes/route-docs.ts";

/**
 * The gateway's Prometheus metrics: HTTP latency by route, and the job queue's depth by task
 * (read from the database at scrape time, so any gateway shows the whole queue).
 */
export function createGatewayMetrics(sql: Sql) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "darkroom_gateway_" });
  const httpDuration = new Histogram({
    name: "darkroom_http_request_duration_seconds",
    help: "HTTP request latency by route, method and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: "darkroom_job_queue_depth",
    help: "Jobs waiting to run, by task",
    labelNames: ["task"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await waitingJobsByTask(sql)) this.set({ task: row.task }, row.waiting);
    },
  });

  return {
    registry,
    /** Records every response's latency under its route pattern (never the raw URL). */
    instrument(app: FastifyInstance) {
      app.addHook("onResponse", (request, reply, done) => {
        httpDuration.observe(
          { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        );
        done();
      });
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

/** `GET /metrics`: Prometheus text format. */
export async function metricsRoutes(app: FastifyInstance, options: { metrics: GatewayMetrics }) {
  app.get("/metrics", { config: { doc: routeDocs.metrics } }, async (_request, reply) => {
    reply.header("Content-Type", options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
