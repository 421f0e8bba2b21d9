/**
 * `pnpm bench:optimizer [images]`: end-to-end optimization throughput of the running service (uploads
 * over HTTP until every file is `success`), next to two in-process baselines measured in the same run:
 *   bare  — our sharp pipeline alone (decode once, derive smaller sizes, blurhash from ~32 px), as
 *           many images at once as the optimizer (OPTIMIZER_CONCURRENCY, passed on to it; default: cores);
 *   naive — one decode of the original per output (three sizes and the blurhash), same parallelism.
 * Then the latency of one ~20 MP JPEG from upload to `success` on the idle service, next to the bare
 * pipeline's time for the same photo (with the same file work: the original read from disk, the
 * variants written). CPU time is counted for each: the bench process for the baselines; the gateway
 * and optimizer processes, and the Postgres server when it runs on this machine, end to end, which
 * shows what the service's own work costs beside sharp's. The baselines run in this process, which
 * `pnpm bench:optimizer` starts with the optimizer's node flags (scripts/node-args.ts), so that V8
 * treats both alike.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { encodeBlurhash } from "../apps/optimizer/src/blurhash.ts";
import { parseOptimizerConfig } from "../apps/optimizer/src/env.ts";
import { createHeicDecoder } from "../apps/optimizer/src/heic.ts";
import { optimizeImage, WEBP_OPTIONS } from "../apps/optimizer/src/pipeline.ts";
import { threadsPerJob } from "../apps/optimizer/src/worker.ts";
import { appNodeArgs } from "../scripts/node-args.ts";
import {
  benchPhotos,
  cpuSecondsOf,
  machineCpu,
  memoryOf,
  multipartBody,
  optimizationEnds,
  pool,
  postgresCpuSeconds,
  postmasterOf,
  startService,
  timed,
} from "./service.ts";

/**
 * The optimizer's own reading of the environment, which the service's processes inherit: the
 * baselines run as many images at once, with as many libvips threads each, and the same pixel limit.
 */
const {
  cores,
  concurrency: imagesAtOnce,
  maxInputPixels: MAX_INPUT_PIXELS,
  heicDecodeTimeoutMs,
} = parseOptimizerConfig(process.env);
/** The optimizer's HEIC decoder (these photos are JPEG and PNG: it starts no thread). */
const heicDecoder = createHeicDecoder({ threads: imagesAtOnce, timeoutMs: heicDecodeTimeoutMs });
const count = Math.min(Math.max(Math.trunc(Number(process.argv[2] ?? 96)) || 96, 1), 1000);
const photos = benchPhotos();
const images = Array.from({ length: count }, (_, i) => photos[i % photos.length]?.bytes as Buffer);
sharp.concurrency(threadsPerJob(cores, imagesAtOnce));
const missingFlags = appNodeArgs.optimizer.filter((flag) => !process.execArgv.includes(flag));
if (missingFlags.length > 0) {
  console.warn(
    `the baselines run without the optimizer's node flags (${missingFlags.join(" ")}): use pnpm bench:optimizer`,
  );
}

/** How busy the machine's cores were while a phase ran (every process: this one, the service's, Postgres). */
class Busy {
  busy = 0;
  total = 0;
  async measure<T>(work: () => Promise<T>): Promise<T> {
    const before = machineCpu();
    const result = await work();
    const after = machineCpu();
    this.busy += after.busy - before.busy;
    this.total += after.total - before.total;
    return result;
  }
  toString() {
    return `cores ${((100 * this.busy) / Math.max(this.total, 0.01)).toFixed(0)}% busy`;
  }
}

/**
 * The bare pipeline with the service's file work: the original read from disk (by libvips, from its
 * path, as the optimizer does with the filesystem storage), the variants written to disk.
 */
async function barePipeline(file: string, outDir: string, index: number) {
  const image = await optimizeImage(file, { maxInputPixels: MAX_INPUT_PIXELS, heicDecoder });
  await Promise.all(image.variants.map((v) => writeFile(path.join(outDir, `${index}-${v.variantSize}.webp`), v.data)));
}

async function naivePipeline(input: Buffer) {
  for (const size of [128, 512, 1024]) {
    await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
      .autoOrient()
      .resize(size, size, { fit: "inside", withoutEnlargement: true })
      .webp(WEBP_OPTIONS)
      .toBuffer();
  }
  const tiny = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
    .autoOrient()
    .resize(32, 32, { fit: "inside" })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  encodeBlurhash(tiny.data, tiny.info.width, tiny.info.height, 4, 3);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Images in each round of each pipeline: short rounds, so that the pipelines alternate every few seconds. */
const PER_ROUND = 16;
const ROUNDS = Math.ceil(count / PER_ROUND);
/** Images through each of the three before the clocks start. */
const WARMUP = 24;
/** Pairs of single-photo runs (bare, then the service), interleaved so that both see the same minute. */
const SINGLE_RUNS = 15;

async function main() {
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"}, ${cores} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  console.log(
    `photos: ${photos.map((p) => p.name).join(", ")}; ${count} images, ${imagesAtOnce} at once, ` +
      `in ${ROUNDS} interleaved rounds (bare, end to end, naive) so that machine noise hits all three alike\n`,
  );
  const work = await mkdtemp(path.join(os.tmpdir(), "darkroom-bench-bare-"));
  const files = await Promise.all(
    photos.map(async (photo, i) => {
      const file = path.join(work, `original-${i}`);
      await writeFile(file, photo.bytes);
      return file;
    }),
  );
  const service = await startService();
  for (const photo of photos) multipartBody(photo.bytes); // the client's bodies, built before any clock starts
  try {
    const { finished, done } = await optimizationEnds(service.sql);

    /**
     * Uploads go in as fast as the gateway takes them (as many at once as cores); it resolves when
     * the last file is optimized.
     */
    const endToEndRun = async (indexes: number[]) => {
      const ids: number[] = [];
      await pool(indexes, cores, async (i) => {
        const { status, id } = await service.upload(images[i] as Buffer);
        if (status !== 201) throw new Error(`upload answered ${status}`);
        ids.push(id);
      });
      await Promise.all(ids.map(done));
    };
    const bareRun = (indexes: number[]) =>
      pool(indexes, imagesAtOnce, (i) => barePipeline(files[i % files.length] as string, work, i));
    const naiveRun = (indexes: number[]) => pool(indexes, imagesAtOnce, (i) => naivePipeline(images[i] as Buffer));

    // Untimed, the same for all three: a fresh process runs its first requests on cold code (the
    // gateway took twice the CPU for its first 16 uploads as for its third 16); a running service is warm.
    const warmup = Array.from({ length: WARMUP }, (_, i) => i % images.length);
    await bareRun(warmup);
    await naiveRun(warmup);
    await endToEndRun(warmup);

    let [bare, naive, endToEnd] = [0, 0, 0];
    let [bareCpu, gatewayCpu, optimizerCpu, postgresCpu] = [0, 0, 0, 0];
    const postmaster = await postmasterOf(service.sql);
    const postgresNow = () => (postmaster === undefined ? 0 : postgresCpuSeconds(postmaster));
    const gatewayPid = service.children.gateway.pid as number;
    const optimizerPid = service.children.optimizer.pid as number;
    let barePeak = 0;
    const [bareBusy, endToEndBusy] = [new Busy(), new Busy()];
    for (let round = 0; round < ROUNDS; round++) {
      const indexes = Array.from({ length: PER_ROUND }, (_, i) => round * PER_ROUND + i).filter((i) => i < count);
      const benchCpu = cpuSecondsOf(process.pid);
      bare += await bareBusy.measure(() => timed(() => bareRun(indexes)));
      bareCpu += cpuSecondsOf(process.pid) - benchCpu;
      barePeak = Math.max(barePeak, memoryOf(process.pid).peakMb);
      // End to end right after bare, the two compared most closely, then naive.
      const [gatewayBefore, optimizerBefore] = [cpuSecondsOf(gatewayPid), cpuSecondsOf(optimizerPid)];
      const postgresBefore = postgresNow();
      endToEnd += await endToEndBusy.measure(() => timed(() => endToEndRun(indexes)));
      gatewayCpu += cpuSecondsOf(gatewayPid) - gatewayBefore;
      optimizerCpu += cpuSecondsOf(optimizerPid) - optimizerBefore;
      postgresCpu += postgresNow() - postgresBefore;
      naive += await timed(() => naiveRun(indexes));
    }
    const failed = [...finished.values()].filter((s) => s !== "success").length;
    const optimizerPeak = memoryOf(optimizerPid).peakMb;
    const gatewayPeak = memoryOf(gatewayPid).peakMb;

    const largest = [...photos]
      .filter((p) => /\.jpe?g$/i.test(p.name))
      .sort((a, b) => b.bytes.length - a.bytes.length)[0];
    if (!largest) throw new Error("no JPEG photo");
    const meta = await sharp(largest.bytes).metadata();
    const largestFile = path.join(work, "largest");
    await writeFile(largestFile, largest.bytes);
    const bareSingle: number[] = [];
    const serviceSingle: number[] = [];
    for (let i = 0; i < SINGLE_RUNS; i++) {
      bareSingle.push(await timed(() => barePipeline(largestFile, work, 10_000 + i)));
      await new Promise((r) => setTimeout(r, 300));
      serviceSingle.push(
        await timed(async () => {
          const { id } = await service.upload(largest.bytes);
          await done(id);
        }),
      );
      await new Promise((r) => setTimeout(r, 300));
    }

    const rate = (seconds: number) => count / seconds;
    const row = (name: string, seconds: number, extra = "") =>
      console.log(
        `${name.padEnd(34)} ${rate(seconds).toFixed(2).padStart(7)} images/s  ${seconds.toFixed(2)} s ${extra}`,
      );
    row("bare pipeline (in process, files)", bare, `peak RSS ${barePeak.toFixed(0)} MB (bench process), ${bareBusy}`);
    row("naive pipeline (decode per size)", naive);
    row(
      "end to end (HTTP upload → success)",
      endToEnd,
      `optimizer peak RSS ${optimizerPeak.toFixed(0)} MB, gateway ${gatewayPeak.toFixed(0)} MB, ${endToEndBusy}` +
        (failed > 0 ? `, ${failed} FAILED` : ""),
    );
    const serviceCpu = optimizerCpu + gatewayCpu + postgresCpu;
    const perImage = (seconds: number) => `${((seconds * 1000) / count).toFixed(1)} ms`;
    console.log(
      `CPU time: bare ${bareCpu.toFixed(1)} s; end to end: optimizer ${optimizerCpu.toFixed(1)} s ` +
        `(${(optimizerCpu / bareCpu).toFixed(2)}x bare) + gateway ${gatewayCpu.toFixed(1)} s (${perImage(gatewayCpu)} an ` +
        `upload) + Postgres ${postmaster === undefined ? "not measured (not on this machine)" : `${postgresCpu.toFixed(1)} s (${perImage(postgresCpu)} an image)`}` +
        ` = ${(serviceCpu / bareCpu).toFixed(2)}x bare`,
    );
    console.log(
      `\nend to end / bare:  ${(bare / endToEnd).toFixed(2)}x  (target ≥ 0.90)\n` +
        `end to end / naive: ${(naive / endToEnd).toFixed(2)}x  (target ≥ 2.00)`,
    );
    const [b, s] = [median(bareSingle), median(serviceSingle)];
    const pairs = serviceSingle.map((service, i) => service / (bareSingle[i] as number));
    console.log(
      `\none ${largest.name} (${meta.width}x${meta.height}, ${(((meta.width ?? 0) * (meta.height ?? 0)) / 1e6).toFixed(1)} MP), median of ${SINGLE_RUNS}:\n` +
        `  bare pipeline ${(b * 1000).toFixed(0)} ms; upload → success on the idle service ${(s * 1000).toFixed(0)} ms: ` +
        `${(s / b).toFixed(2)}x  (target ≤ 1.30)\n` +
        `  each pair's ratio: ${pairs.map((r) => r.toFixed(2)).join(" ")}; median ${median(pairs).toFixed(2)}x`,
    );
  } finally {
    await service.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
