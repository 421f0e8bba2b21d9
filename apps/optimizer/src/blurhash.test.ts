import { PHOTOS, photo } from "@darkroom/testing/photos";
import { encode as referenceEncode } from "blurhash";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { encodeBlurhash } from "./blurhash.ts";

/** Pixels of a deterministic pseudo-random RGBA image (a linear congruential generator). */
function noise(width: number, height: number, seed: number): Uint8ClampedArray {
  const pixels = new Uint8ClampedArray(width * height * 4);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    pixels[i] = state >> 23;
  }
  return pixels;
}

describe("encodeBlurhash", () => {
  it("gives the reference implementation's string for every test photo, as the pipeline shrinks it", async () => {
    for (const name of Object.values(PHOTOS)) {
      const tiny = await sharp(await photo(name))
        .autoOrient()
        .resize(32, 32, { fit: "inside" })
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const pixels = new Uint8ClampedArray(tiny.data);
      for (const [x, y] of [
        [4, 3],
        [1, 1],
        [9, 9],
        [3, 7],
      ] as const) {
        const ours = encodeBlurhash(tiny.data, tiny.info.width, tiny.info.height, x, y);
        expect(ours, `${name} ${x}x${y}`).toBe(referenceEncode(pixels, tiny.info.width, tiny.info.height, x, y));
      }
    }
  });

  it("gives the reference's string for noise, flat colours and odd sizes", () => {
    const cases: [number, number, Uint8ClampedArray][] = [
      [1, 1, noise(1, 1, 1)],
      [7, 5, noise(7, 5, 2)],
      [32, 18, noise(32, 18, 3)],
      [13, 32, noise(13, 32, 4)],
      [8, 8, new Uint8ClampedArray(8 * 8 * 4).fill(255)],
      [8, 8, new Uint8ClampedArray(8 * 8 * 4)],
    ];
    for (const [width, height, pixels] of cases) {
      for (const [x, y] of [
        [4, 3],
        [1, 1],
        [9, 9],
        [2, 6],
      ] as const) {
        expect(encodeBlurhash(pixels, width, height, x, y), `${width}x${height} ${x}x${y}`).toBe(
          referenceEncode(pixels, width, height, x, y),
        );
      }
    }
  });

  it("refuses component counts outside 1-9 and pixels that do not match the size", () => {
    const pixels = noise(4, 4, 5);
    expect(() => encodeBlurhash(pixels, 4, 4, 0, 3)).toThrow(RangeError);
    expect(() => encodeBlurhash(pixels, 4, 4, 4, 10)).toThrow(RangeError);
    expect(() => encodeBlurhash(pixels, 4, 3, 4, 3)).toThrow(RangeError);
  });
});
