/**
 * `pnpm bench:gateway`: the gateway under load from this separate process (autocannon), for
 * `GET /api/v1/media/:id` and the GraphQL `media(id)` query, next to a bare node:http + postgres.js
 * handler running the same statement (the file and its variants), in the same run. Then the latency
 * of each at half its peak rate.
 * Targets: REST ≥ 0.8x and GraphQL ≥ 0.6x the bare handler's requests/s; p99 under 20 ms at half the peak.
 */
import { fork } from "node:child_process";
import path from "node:path";
import autocannon from "autocannon";
import { benchPhotos, root, startService } from "./service.ts";

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
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
    const targets: [string, autocannon.Options][] = [
      ["bare node:http + postgres.js", { url: `http://127.0.0.1:4599/media/${id}?agency=${agencyId}` }],
      ["REST GET /api/v1/media/:id", { url: `${service.baseUrl}/api/v1/media/${id}`, headers }],
      ["GraphQL media(id)", graphql],
    ];
    // Warm up each target (JIT, connection pools) before measuring.
    for (const [, options] of targets) await autocannon({ connections: CONNECTIONS, duration: 2, ...options });
    const peak = new Map<string, Figures>();
    for (const [name, options] of targets) peak.set(name, await load(options));
    const half = new Map<string, Figures>();
    for (const [name, options] of targets) {
      half.set(name, await load({ ...options, overallRate: Math.max(1, Math.floor((peak.get(name)?.rps ?? 2) / 2)) }));
    }
    const base = peak.get(targets[0]?.[0] ?? "")?.rps ?? 1;
    console.log(`${CONNECTIONS} connections, ${DURATION_S} s per run\n`);
    for (const [name] of targets) {
      const p = peak.get(name) as Figures;
      const h = half.get(name) as Figures;
      console.log(
        `${name.padEnd(30)} ${p.rps.toFixed(0).padStart(6)} req/s (${(p.rps / base).toFixed(2)}x)  ` +
          `p50 ${p.p50} ms p99 ${p.p99} ms; at half that rate p50 ${h.p50} ms p99 ${h.p99} ms` +
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
