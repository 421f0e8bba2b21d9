/**
 * The flags `node` gets for each app, wherever it starts: `pnpm start` (scripts/start.ts), the
 * benchmarks (bench/service.ts), the apps' own `start` scripts and the production image
 * (docker/Dockerfile; docker/test/compose.test.ts checks that they agree). They go on the command
 * line because V8 reads them at start and Node refuses most V8 flags in NODE_OPTIONS.
 *
 * optimizer, --heap-growing-percent=200: its old generation may grow to three times what the last
 * full collection kept, instead of V8's ~1.1x here. Its JS heap is small (about 20 MB live) but each
 * image leaves some 0.5 MB in the old generation, which otherwise ran a full mark-compact every few
 * images on the cores libvips works on: in one `pnpm bench:optimizer` run (with BENCH_NODE_ARGS=--trace-gc),
 * 4 mark-compacts instead of 26, and the optimizer's CPU 1.03x the bare pipeline's instead of 1.14x.
 * See docs/performance.md, "Optimizer throughput".
 */
export const appNodeArgs: Record<"gateway" | "optimizer", string[]> = {
  gateway: [],
  optimizer: ["--heap-growing-percent=200"],
};
