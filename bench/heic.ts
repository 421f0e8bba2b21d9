/**
 * `pnpm bench:heic [images]`: HEIC throughput of the running service (uploads over HTTP until every
 * file is `success`) next to a bare script in the same run: the same decoder (libheif in worker
 * threads, one for each image slot), the same sharp cascade (`optimizeImage`), as many images at
 * once as the optimizer (OPTIMIZER_CONCURRENCY; default: cores), the originals read from files.
 * Then the first image's latency with a cold decoder (its thread started and libheif compiled for
 * that image), next to a warm one's, for both. The images: the 4032x3024 (12 MP) HEIC of
 * test/fixtures/heic, uploaded `images` times.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { parseOptimizerConfig } from "../apps/optimizer/src/env.ts";
import { createHeicDecoder, type HeicDecoder } from "../apps/optimizer/src/heic.ts";
import { optimizeImage } from "../apps/optimizer/src/pipeline.ts";
import { threadsPerJob } from "../apps/optimizer/src/worker.ts";
import { cpuSecondsOf, memoryOf, optimizationEnds, pool, root, startService, timed } from "./service.ts";

const { cores, concurrency, maxInputPixels, heicDecodeTimeoutMs } = parseOptimizerConfig(process.env);
const count = Math.min(Math.max(Math.trunc(Number(process.argv[2] ?? 24)) || 24, 1), 500);
const PHOTO = path.join(root, "test/fixtures/heic/seeding-4032x3024.heic");
/** Images in each round of each side: the two alternate, so that machine noise hits both alike. */
const PER_ROUND = 8;
const WARMUP = 4;
sharp.concurrency(threadsPerJob(cores, concurrency));

async function main() {
  const bytes = await readFile(PHOTO);
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"}, ${cores} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  console.log(
    `${path.basename(PHOTO)} (${(bytes.length / 1024).toFixed(0)} KB) x ${count}, ${concurrency} at once, ` +
      `in rounds of ${PER_ROUND} alternating bare and end to end\n`,
  );
  const work = await mkdtemp(path.join(os.tmpdir(), "darkroom-bench-heic-"));
  const file = path.join(work, "original.heic");
  await writeFile(file, bytes);
  let decoder: HeicDecoder | undefined;
  const bare = async (index: number) => {
    const image = await optimizeImage(file, { maxInputPixels, heicDecoder: decoder as HeicDecoder });
    if (image.variants.length !== 3) throw new Error("three variants expected");
    await Promise.all(image.variants.map((v) => writeFile(path.join(work, `${index}-${v.variantSize}.webp`), v.data)));
  };

  const service = await startService();
  try {
    const { finished, done } = await optimizationEnds(service.sql);
    const uploadOne = async () => {
      const { status, id } = await service.upload(bytes);
      if (status !== 201) throw new Error(`upload answered ${status}`);
      await done(id);
    };

    // First images, each side's decoder cold: no thread yet, libheif not compiled.
    // CPU time too: on a machine shared with other work, wall-clock latencies stretch, CPU time does not.
    decoder = createHeicDecoder({ threads: concurrency, timeoutMs: heicDecodeTimeoutMs });
    const optimizerPid = service.children.optimizer.pid as number;
    const cpuOf = async (pid: number, work: () => Promise<unknown>) => {
      const before = cpuSecondsOf(pid);
      const seconds = await timed(work);
      return { seconds, cpu: cpuSecondsOf(pid) - before };
    };
    const bareCold = await cpuOf(process.pid, () => bare(-1));
    const bareWarm = await cpuOf(process.pid, () => bare(-2));
    const serviceCold = await cpuOf(optimizerPid, uploadOne);
    const serviceWarm = await cpuOf(optimizerPid, uploadOne);

    const warmup = Array.from({ length: WARMUP }, (_, i) => i);
    await pool(warmup, concurrency, bare);
    await pool(warmup, cores, uploadOne);

    let [bareSeconds, serviceSeconds, bareCpu, optimizerCpu] = [0, 0, 0, 0];
    for (let start = 0; start < count; start += PER_ROUND) {
      const indexes = Array.from({ length: Math.min(PER_ROUND, count - start) }, (_, i) => start + i);
      const benchBefore = cpuSecondsOf(process.pid);
      bareSeconds += await timed(() => pool(indexes, concurrency, bare));
      bareCpu += cpuSecondsOf(process.pid) - benchBefore;
      const optimizerBefore = cpuSecondsOf(optimizerPid);
      serviceSeconds += await timed(() => pool(indexes, cores, uploadOne));
      optimizerCpu += cpuSecondsOf(optimizerPid) - optimizerBefore;
    }
    const failed = [...finished.values()].filter((state) => state !== "success").length;

    const rate = (seconds: number) => (count / seconds).toFixed(2);
    console.log(
      `bare script (decoder + cascade, files)  ${rate(bareSeconds)} images/s  ${bareSeconds.toFixed(1)} s  ` +
        `CPU ${bareCpu.toFixed(1)} s, bench process peak RSS ${memoryOf(process.pid).peakMb.toFixed(0)} MB`,
    );
    console.log(
      `end to end (HTTP upload → success)      ${rate(serviceSeconds)} images/s  ${serviceSeconds.toFixed(1)} s  ` +
        `optimizer CPU ${optimizerCpu.toFixed(1)} s, peak RSS ${memoryOf(optimizerPid).peakMb.toFixed(0)} MB` +
        (failed > 0 ? `, ${failed} FAILED` : ""),
    );
    console.log(`\nend to end / bare: ${(bareSeconds / serviceSeconds).toFixed(2)}x  (target ≥ 0.80)`);
    const ms = (run: { seconds: number; cpu: number }) =>
      `${(run.seconds * 1000).toFixed(0)} ms (CPU ${(run.cpu * 1000).toFixed(0)} ms)`;
    console.log(
      "\nfirst image, cold decoder (thread start + libheif compile + decode + cascade), then a second, warm:\n" +
        `  bare script: ${ms(bareCold)}, then ${ms(bareWarm)}\n` +
        `  upload → success: ${ms(serviceCold)}, then ${ms(serviceWarm)} (CPU: the optimizer process's)`,
    );
    console.log(
      `\nCPU per image: bare ${((bareCpu / count) * 1000).toFixed(0)} ms, optimizer ${((optimizerCpu / count) * 1000).toFixed(0)} ms ` +
        `(${(optimizerCpu / bareCpu).toFixed(2)}x)`,
    );
  } finally {
    await decoder?.close();
    await service.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
