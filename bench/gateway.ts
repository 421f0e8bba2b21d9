/**
 * `pnpm bench:gateway`: the gateway under load from this separate process (autocannon), for
 * `GET /api/v1/media/:id` and the GraphQL `media(id)` query, next to a bare node:http + postgres.js
 * handler running the same statement (the file and its variants), in the same run. Then the latency
 * of each at half its peak rate, and the serving process's CPU time per request at the peak.
 * Targets: REST ≥ 0.8x and GraphQL ≥ 0.6x the bare handler's requests/s; p99 under 20 ms at half the peak.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { benchPhotos, root, startService } from "./service.ts";

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
/** Each figure comes from this many runs, interleaved with the other targets' so that machine noise hits all alike. */
const ROUNDS = 3;
const CONNECTIONS = 16;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  /** The serving process's CPU time per request answered, in µs. */
  cpuPerRequestUs: number;
}

/** User + system CPU time of a process so far, in µs (Linux: /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuTimeUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function load(options: autocannon.Options, pid: number): Promise<Figures> {
  const cpuBefore = cpuTimeUs(pid);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    requests: result.requests.total,
    cpuPerRequestUs: (cpuTimeUs(pid) - cpuBefore) / Math.max(1, result.requests.total),
  };
}

/**
 * Loads each target ROUNDS times, in turn (bare, REST, GraphQL, bare, ...), and sums each target's runs:
 * requests/s and CPU per request over all its runs, the median of its p50s, the worst of its p99s.
 */
async function inRounds(
  targets: [string, autocannon.Options, number][],
  extra: (name: string) => Partial<autocannon.Options>,
): Promise<Map<string, Figures>> {
  const runs = new Map<string, Figures[]>(targets.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, options, pid] of targets) runs.get(name)?.push(await load({ ...options, ...extra(name) }, pid));
  }
  const summed = new Map<string, Figures>();
  for (const [name, figures] of runs) {
    const p50s = figures.map((f) => f.p50).sort((a, b) => a - b);
    const requests = figures.reduce((sum, f) => sum + f.requests, 0);
    summed.set(name, {
      rps: figures.reduce((sum, f) => sum + f.rps, 0) / figures.length,
      p50: p50s[Math.floor(p50s.length / 2)] ?? 0,
      p99: Math.max(...figures.map((f) => f.p99)),
      errors: figures.reduce((sum, f) => sum + f.errors, 0),
      requests,
      cpuPerRequestUs: figures.reduce((sum, f) => sum + f.cpuPerRequestUs * f.requests, 0) / Math.max(1, requests),
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
        "(requests/s and CPU over all of them, the median p50, the worst p99)\n",
    );
    for (const [name] of targets) {
      const p = peak.get(name) as Figures;
      const h = half.get(name) as Figures;
      console.log(
        `${name.padEnd(30)} ${p.rps.toFixed(0).padStart(6)} req/s (${(p.rps / base).toFixed(2)}x)  ` +
          `p50 ${p.p50} ms p99 ${p.p99} ms, ${p.cpuPerRequestUs.toFixed(0)} µs CPU/request; ` +
          `at half that rate p50 ${h.p50} ms p99 ${h.p99} ms` +
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
