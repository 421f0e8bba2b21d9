/**
 * `pnpm bench:optimizer-memory [images]`: the optimizer's memory over a long run. Uploads real photos
 * (default 300) through the running service, a few at a time, and prints the optimizer's RSS after the
 * first 30 are optimized, at checkpoints, and after all of them (target: within 1.5x of the first).
 */
import { benchPhotos, memoryOf, startService } from "./service.ts";

const total = Math.min(Math.max(Number(process.argv[2] ?? 300), 30), 5000);
const photos = benchPhotos();

async function main() {
  const service = await startService();
  try {
    let finished = 0;
    let notify: () => void = () => {};
    await service.sql.listen("media_updated", (payload) => {
      const { optimization } = JSON.parse(payload) as { optimization: string };
      if (optimization === "success" || optimization === "failed") {
        finished++;
        notify();
      }
    });
    const waitUntil = (count: number) =>
      new Promise<void>((resolve) => {
        notify = () => finished >= count && resolve();
        notify();
      });
    const pid = service.children.optimizer.pid as number;
    const samples: { after: number; rssMb: number }[] = [];
    let uploaded = 0;
    const started = performance.now();
    const checkpoints = [30, 100, 200, 300, 500, 1000, 2000, total].filter(
      (n, i, all) => n <= total && all.indexOf(n) === i,
    );
    for (const checkpoint of checkpoints) {
      while (uploaded < checkpoint) {
        // keep a few files queued ahead of the optimizer, not all of them
        while (uploaded - finished >= 6) await waitUntil(uploaded - 5);
        const { status } = await service.upload(photos[uploaded % photos.length]?.bytes as Buffer);
        if (status !== 201) throw new Error(`upload answered ${status}`);
        uploaded++;
      }
      await waitUntil(checkpoint);
      samples.push({ after: checkpoint, rssMb: memoryOf(pid).rssMb });
      console.log(`after ${String(checkpoint).padStart(4)} images: optimizer RSS ${memoryOf(pid).rssMb.toFixed(0)} MB`);
    }
    const first = samples[0]?.rssMb ?? 1;
    const last = samples.at(-1)?.rssMb ?? 0;
    console.log(
      `\n${total} images in ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
        `RSS after ${total} / after 30: ${(last / first).toFixed(2)}x (target ≤ 1.50); ` +
        `peak ${memoryOf(pid).peakMb.toFixed(0)} MB`,
    );
  } finally {
    await service.stop();
  }
}

await main();
