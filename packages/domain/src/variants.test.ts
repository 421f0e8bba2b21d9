import { describe, expect, it } from "vitest";
import { staleVariantKeys, VARIANT_SIZES, variantPlan } from "./variants.ts";

/** [width, height] of each planned variant, 128 then 512 then 1024. */
const dims = (width: number, height: number) => variantPlan(width, height).map((v) => [v.width, v.height]);

describe("variantPlan", () => {
  it("VARIANT_SIZES: 128, 512, 1024", () => {
    expect(VARIANT_SIZES).toEqual([128, 512, 1024]);
  });

  it("variantPlan: one variant per size, small to large, variantSize a string and box the number", () => {
    expect(variantPlan(6028, 3391).map((v) => [v.variantSize, v.box])).toEqual([
      ["128", 128],
      ["512", 512],
      ["1024", 1024],
    ]);
  });

  it("variantPlan: a landscape 6028x3391 photo gives 128x72, 512x288, 1024x576", () => {
    expect(dims(6028, 3391)).toEqual([
      [128, 72],
      [512, 288],
      [1024, 576],
    ]);
  });

  it("variantPlan: a portrait 2056x3088 photo gives 85x128, 341x512, 682x1024", () => {
    expect(dims(2056, 3088)).toEqual([
      [85, 128],
      [341, 512],
      [682, 1024],
    ]);
  });

  it("variantPlan: an image smaller than 128 (100x50) is never enlarged: all three are 100x50", () => {
    expect(dims(100, 50)).toEqual([
      [100, 50],
      [100, 50],
      [100, 50],
    ]);
  });

  it("variantPlan: a 1x1 image gives three 1x1 variants", () => {
    expect(dims(1, 1)).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it("variantPlan: between two sizes (300x200) only the larger boxes keep the original size", () => {
    expect(dims(300, 200)).toEqual([
      [128, 85],
      [300, 200],
      [300, 200],
    ]);
  });

  it("variantPlan: exactly 1024 wide (1024x768) keeps 1024x768 for the 1024 variant", () => {
    expect(dims(1024, 768)).toEqual([
      [128, 96],
      [512, 384],
      [1024, 768],
    ]);
  });

  it("variantPlan: exactly 1024 tall (768x1024) keeps 768x1024 for the 1024 variant", () => {
    expect(dims(768, 1024)).toEqual([
      [96, 128],
      [384, 512],
      [768, 1024],
    ]);
  });

  it("variantPlan: a square 4000x4000 photo gives square variants", () => {
    expect(dims(4000, 4000)).toEqual([
      [128, 128],
      [512, 512],
      [1024, 1024],
    ]);
  });

  it("variantPlan: a panorama 10000x500 gives 128x6, 512x26, 1024x51", () => {
    expect(dims(10_000, 500)).toEqual([
      [128, 6],
      [512, 26],
      [1024, 51],
    ]);
  });

  it("variantPlan: an extreme strip 100000x10 keeps at least 1 pixel on the short edge", () => {
    expect(dims(100_000, 10)).toEqual([
      [128, 1],
      [512, 1],
      [1024, 1],
    ]);
  });

  it("variantPlan: an extreme tall strip 10x100000 keeps at least 1 pixel on the short edge", () => {
    expect(dims(10, 100_000)).toEqual([
      [1, 128],
      [1, 512],
      [1, 1024],
    ]);
  });

  it.each([
    [0, 100],
    [100, 0],
    [-1, 100],
    [100, -1],
    [1.5, 100],
    [100, 1.5],
    [Number.NaN, 100],
    [100, Number.NaN],
    [Number.POSITIVE_INFINITY, 100],
  ])("variantPlan: invalid dimensions %sx%s throw a RangeError", (width, height) => {
    expect(() => variantPlan(width, height)).toThrow(RangeError);
  });

  it("variantPlan: for many shapes, the long edge is min(N, long edge), the short edge is 1..N, and aspect is kept", () => {
    const edges = [1, 2, 3, 7, 50, 99, 127, 128, 129, 333, 511, 512, 513, 1000, 1023, 1024, 1025, 3391, 6028, 99_999];
    for (const width of edges) {
      for (const height of edges) {
        const longEdge = Math.max(width, height);
        for (const v of variantPlan(width, height)) {
          const label = `${width}x${height} @ ${v.box}`;
          const vLong = Math.max(v.width, v.height);
          const vShort = Math.min(v.width, v.height);
          expect(vLong, label).toBe(Math.min(v.box, longEdge));
          expect(vShort, label).toBeGreaterThanOrEqual(1);
          expect(vShort, label).toBeLessThanOrEqual(vLong);
          expect(v.width <= width && v.height <= height, `${label} is never enlarged`).toBe(true);
          // Orientation is kept: the long edge stays on the same axis.
          if (width > height) expect(v.width, label).toBe(vLong);
          if (height > width) expect(v.height, label).toBe(vLong);
          // The short edge is the exact scaled value rounded (or 1 when that rounds to 0).
          const scale = Math.min(1, v.box / longEdge);
          expect(vShort, label).toBe(Math.max(1, Math.round(Math.min(width, height) * scale)));
        }
      }
    }
  });
});

describe("staleVariantKeys", () => {
  it("a re-optimization's new generation leaves every old object stale", () => {
    const old = ["m/a/g1/128.webp", "m/a/g1/512.webp", "m/a/g1/1024.webp"];
    const fresh = ["m/a/g2/128.webp", "m/a/g2/512.webp", "m/a/g2/1024.webp"];
    expect(staleVariantKeys(old, fresh)).toEqual(old);
  });

  it("objects the new set overwrites (a retry of the same generation) are not stale; dropped sizes are", () => {
    const old = ["m/a/g2/128.webp", "m/a/g2/512.webp", "m/a/g2/1024.webp"];
    expect(staleVariantKeys(old, ["m/a/g2/128.webp", "m/a/g2/512.webp"])).toEqual(["m/a/g2/1024.webp"]);
    expect(staleVariantKeys(old, old)).toEqual([]);
    expect(staleVariantKeys([], old)).toEqual([]);
  });
});
