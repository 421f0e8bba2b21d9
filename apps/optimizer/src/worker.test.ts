import { describe, expect, it } from "vitest";
import { parseOptimizerConfig } from "./env.ts";
import { threadsPerJob } from "./worker.ts";

describe("threadsPerJob", () => {
  it.each([
    [2, 2, 1],
    [8, 2, 4],
    [1, 4, 1],
    [8, 3, 2],
    [16, 1, 16],
    [4, 64, 1],
  ])("%i cores, %i jobs at once → %i libvips threads per job", (cores, concurrency, threads) => {
    expect(threadsPerJob(cores, concurrency)).toBe(threads);
  });

  it("never oversubscribes the cores, and never gives a job zero threads", () => {
    for (let cores = 1; cores <= 32; cores++) {
      for (let concurrency = 1; concurrency <= 64; concurrency++) {
        const threads = threadsPerJob(cores, concurrency);
        expect(Number.isInteger(threads)).toBe(true);
        expect(threads).toBeGreaterThanOrEqual(1);
        if (concurrency <= cores) expect(threads * concurrency).toBeLessThanOrEqual(cores);
      }
    }
  });
});

describe("parseOptimizerConfig", () => {
  it("reads the concurrency and the pixel limit, with defaults", () => {
    const config = parseOptimizerConfig({ DATA_DIR: "/tmp/darkroom", OPTIMIZER_CONCURRENCY: "2" });
    expect(config).toMatchObject({ concurrency: 2, maxInputPixels: 100_000_000, dataDir: "/tmp/darkroom" });
    expect(config.cores).toBeGreaterThanOrEqual(1);
    expect(parseOptimizerConfig({ DATA_DIR: "/tmp/darkroom" }).concurrency).toBe(config.cores);
  });

  it("names every invalid variable", () => {
    expect(() => parseOptimizerConfig({ OPTIMIZER_CONCURRENCY: "0", MAX_INPUT_PIXELS: "lots" })).toThrow(
      /OPTIMIZER_CONCURRENCY.*MAX_INPUT_PIXELS|MAX_INPUT_PIXELS.*OPTIMIZER_CONCURRENCY/,
    );
  });
});
