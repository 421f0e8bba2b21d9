import { setFlagsFromString } from "node:v8";

/**
 * How far past what its last full collection kept V8 lets the optimizer's old generation grow, in
 * percent. The optimizer's JS heap is small (about 20 MB live), and what a job keeps while its image
 * is processed (its rows, graphile-worker's job, sharp's objects) ends up in the old generation,
 * some 0.5 MB an image. With V8's own factor here (about 1.1) that ran a full mark-compact every four
 * or five images, 27 in one `pnpm bench:optimizer` run, each some 20 ms of the main thread plus
 * marking threads on the cores libvips works on: the optimizer used 1.03-1.07x the bare pipeline's
 * CPU time. At 200: 5 in the same run (10 at 100), heaps of 20-33 MB, and 0.99-1.04x (README,
 * Performance). The heap stays far below libvips' share of the RSS.
 */
export const HEAP_GROWING_PERCENT = 200;

/** Applies `HEAP_GROWING_PERCENT` to this process (V8 reads it at each collection: it takes effect at once). */
export function tuneHeapForImages(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
