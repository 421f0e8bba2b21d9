/**
 * `pnpm bench:gateway`: the gateway under load from this separate process (autocannon), for
 * `GET /api/v1/media/:id` and the GraphQL `media(id)` query, next to a bare node:http + postgres.js
 * handler running the same statement (the file and its variants), in the same run. Then the latency
 * of each at half its peak rate, and the serving process's CPU time per request at the peak.
 * Targets: REST ≥ 0.8x and GraphQL ≥ 0.6x the bare handler's requests/s; p99 under 20 ms at half the peak.
 */
import { fork } from "node:child_process";
import path from "node:path";
import autocannon from "autocannon";
import { benchPhotos, cpuSecondsOf, root, startService } from "./service.ts";

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
/** Each figure comes from this many runs, interleaved with the other targets' so that machine noise hits all alike. */
const ROUNDS = 3;
const CONNECTIONS = 16;

interface Figures {
  rps: number;
  /** Latency percentiles over every request of the runs, in ms. */
  p50: number;
  p99: number;
  /** Each run's own p99, in the order run. */
  p99s: number[];
  errors: number;
  requests: number;
  /** The serving process's CPU time per request answered, in µs. */
  cpuPerRequestUs: number;
}

interface Run {
  rps: number;
  /** Every request's latency, in ms. */
  latencies: number[];
  errors: number;
  requests: number;
  cpuUs: number;
}

/** The value below which `fraction` of the sorted `values` fall. */
const ms = (value: number) => `${value.toFixed(1)} ms`;

const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;

async function load(options: autocannon.Options, pid: number): Promise<Run> {
  const cpuBefore = cpuSecondsOf(pid);
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  return {
    rps: result.requests.average,
    latencies,
    errors: result.errors + result.non2xx,
    requests: result.requests.total,
    cpuUs: (cpuSecondsOf(pid) - cpuBefore) * 1e6,
  };
}

/**
 * Loads each target ROUNDS times, in turn (bare, REST, GraphQL, bare, ...), and sums each target's runs:
 * requests/s and CPU per request over all its runs, latency percentiles over all their requests (one
 * stall of the shared machine in a 5 s run is the p99 of that run; over three runs it is not).
 */
async function inRounds(
  targets: [string, autocannon.Options, number][],
  extra: (name: string) => Partial<autocannon.Options>,
): Promise<Map<string, Figures>> {
  const runs = new Map<string, Run[]>(targets.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, options, pid] of targets) runs.get(name)?.push(await load({ ...options, ...extra(name) }, pid));
  }
  const summed = new Map<string, Figures>();
  for (const [name, done] of runs) {
    const requests = done.reduce((sum, run) => sum + run.requests, 0);
    const latencies = done.flatMap((run) => run.latencies).sort((a, b) => a - b);
    summed.set(name, {
      rps: done.reduce((sum, run) => sum + run.rps, 0) / done.length,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      p99s: done.map((run) =>
        percentile(
          [...run.latencies].sort((a, b) => a - b),
          0.99,
        ),
      ),
      errors: done.reduce((sum, run) => sum + run.errors, 0),
      requests,
      cpuPerRequestUs: done.reduce((sum, run) => sum + run.cpuUs, 0) / Math.max(1, requests),
    });
  }
  return summed;
}

async function main() {
  // The benchmark measures serving, not the per-agency rate limit.
  const service = await startService({ RATE_LIMIT_PER_MINUTE: "1000000" });
  const baseline = fork(path.join(root, "bench/bare-handler.ts"), ["4599", service.databaseUrl], {
    execArgv: ["--import", "tsx"],
  });
  try {
    const { id } = await service.upload(benchPhotos()[0]?.bytes as Buffer);
    const [owner] = await service.sql<
      { agencyId: number }[]
    >`select agency_id as "agencyId" from media where id = ${id}`;
    const agencyId = owner?.agencyId;
    await new Promise((resolve) => baseline.once("message", resolve));
    const headers = { "X-API-Key": service.apiKey };
    const graphql = {
      url: `${service.baseUrl}/graphql`,
      method: "POST" as const,
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({
        query:
          "query($id: Int!) { media(id: $id) { databaseId externalId size contentType optimization blurhash originalUrl variants { url variantSize size width height } } }",
        variables: { id },
      }),
    };
    const gatewayPid = service.children.gateway.pid as number;
    const targets: [string, autocannon.Options, number][] = [
      [
        "bare node:http + postgres.js",
        { url: `http://127.0.0.1:4599/media/${id}?agency=${agencyId}` },
        baseline.pid as number,
      ],
      ["REST GET /api/v1/media/:id", { url: `${service.baseUrl}/api/v1/media/${id}`, headers }, gatewayPid],
      ["GraphQL media(id)", graphql, gatewayPid],
    ];
    // Warm up each target (JIT, connection pools) before measuring.
    for (const [, options] of targets) await autocannon({ connections: CONNECTIONS, duration: 2, ...options });
    const peak = await inRounds(targets, () => ({}));
    const half = await inRounds(targets, (name) => ({
      overallRate: Math.max(1, Math.floor((peak.get(name)?.rps ?? 2) / 2)),
    }));
    const base = peak.get(targets[0]?.[0] ?? "")?.rps ?? 1;
    console.log(
      `${CONNECTIONS} connections; ${ROUNDS} interleaved runs of ${DURATION_S} s per figure ` +
        "(requests/s, CPU and latency percentiles over all of them; each run's own p99 in brackets)\n",
    );
    for (const [name] of targets) {
      const p = peak.get(name) as Figures;
      const h = half.get(name) as Figures;
      console.log(
        `${name.padEnd(30)} ${p.rps.toFixed(0).padStart(6)} req/s (${(p.rps / base).toFixed(2)}x)  ` +
          `p50 ${ms(p.p50)} p99 ${ms(p.p99)}, ${p.cpuPerRequestUs.toFixed(0)} µs CPU/request; ` +
          `at half that rate p50 ${ms(h.p50)} p99 ${ms(h.p99)} (${h.p99s.map(ms).join(" / ")})` +
          (p.errors + h.errors > 0 ? `  ${p.errors + h.errors} ERRORS` : ""),
      );
    }
    console.log("\ntargets: REST ≥ 0.80x, GraphQL ≥ 0.60x the bare handler; p99 < 20 ms at half the peak rate");
  } finally {
    baseline.kill();
    await service.stop();
  }
}

await main();
