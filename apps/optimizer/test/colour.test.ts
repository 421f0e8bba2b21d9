import { colourDistance, heicFixture, PHOTOS, photo } from "@darkroom/testing/photos";
import sharp, { type Sharp } from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { createHeicDecoder } from "../src/heic.ts";
import { type OptimizedImage, optimizeImage } from "../src/pipeline.ts";

const heicDecoder = createHeicDecoder({ threads: 1, timeoutMs: 60_000 });
const options = { maxInputPixels: 100_000_000, heicDecoder };
afterAll(() => heicDecoder.close());

/** The pixel values of the four 64×64 patches of the patches-* fixtures, left to right. */
const PATCHES = [
  [220, 60, 40],
  [100, 200, 100],
  [60, 90, 210],
  [128, 128, 128],
] as const;

/** Linear RGB of a colour space (D65) to linear sRGB (both through XYZ; ICC's D50 adaptation cancels out). */
const P3_TO_SRGB = [
  [1.2249401, -0.2249404, 0],
  [-0.0420569, 1.0420571, 0],
  [-0.0196376, -0.0786361, 1.0982735],
];
const ADOBE_RGB_TO_SRGB = [
  [1.3983557, -0.3983557, 0],
  [0, 1, 0],
  [0, -0.0429289, 1.0429289],
];
const srgbToLinear = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const linearToSrgb = (v: number) => (v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055);

/** What pixel values `rgb` of a space (its transfer curve, its matrix to sRGB) are in sRGB, 0–255, clipped. */
function inSrgb(rgb: readonly number[], toLinear: (v: number) => number, matrix: number[][]): number[] {
  const linear = rgb.map((v) => toLinear(v / 255));
  return matrix.map((row) => {
    const value = row.reduce((sum, m, i) => sum + m * (linear[i] ?? 0), 0);
    return Math.round(255 * linearToSrgb(Math.min(1, Math.max(0, value))));
  });
}
const p3InSrgb = (rgb: readonly number[]) => inSrgb(rgb, srgbToLinear, P3_TO_SRGB);
/** Adobe RGB (1998): a pure gamma of 563/256. */
const adobeInSrgb = (rgb: readonly number[]) => inSrgb(rgb, (v) => v ** (563 / 256), ADOBE_RGB_TO_SRGB);

/** The colour at the centre of each patch of the largest variant (256×64: the original's size). */
async function patchColours(result: OptimizedImage): Promise<number[][]> {
  const variant = result.variants[2]?.data as Buffer;
  const { data, info } = await sharp(variant).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([256, 64]);
  return PATCHES.map((_, i) => {
    const at = (32 * info.width + i * 64 + 32) * info.channels;
    return [...data.subarray(at, at + 3)];
  });
}

/** Per-channel tolerance: lcms against the matrices above, and WebP's rounding. */
const TOLERANCE = 6;

describe("colour profiles become sRGB", () => {
  it.each([
    ["an 8-bit PNG", "patches-p3.png"],
    ["a JPEG", "patches-p3.jpg"],
    ["a 16-bit PNG", "patches-p3-16bit.png"],
    ["a HEIC", "patches-p3.heic"],
  ])("Display P3 in %s: each variant pixel is the sRGB equivalent, not the raw numbers", async (_kind, file) => {
    const input = await heicFixture(file);
    if (!file.endsWith(".heic")) expect((await sharp(input).metadata()).icc).toBeDefined();
    const result = await optimizeImage(input, options);
    const colours = await patchColours(result);
    PATCHES.forEach((raw, i) => {
      const expected = p3InSrgb(raw);
      expect(colourDistance(colours[i] ?? [], expected), `patch ${i}: ${colours[i]} vs ${expected}`).toBeLessThan(
        TOLERANCE,
      );
      // The saturated patches differ from their raw numbers by more than the tolerance (by 10-56 levels).
      if (i < 3) expect(colourDistance(expected, raw)).toBeGreaterThan(TOLERANCE + 3);
    });
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect([meta.space, meta.depth, meta.icc]).toEqual(["srgb", "uchar", undefined]);
    }
  });

  it("a HEIC without a profile keeps its numbers (sRGB); with an nclx profile of Display P3 primaries, they become sRGB", async () => {
    const plain = await heicFixture("patches-noprofile.heic");
    const asIs = await patchColours(await optimizeImage(plain, options));
    PATCHES.forEach((raw, i) => {
      expect(colourDistance(asIs[i] ?? [], raw)).toBeLessThan(TOLERANCE);
    });
    const p3 = await patchColours(await optimizeImage(withNclxColour(plain, { primaries: 12, transfer: 13 }), options));
    PATCHES.forEach((raw, i) => {
      expect(colourDistance(p3[i] ?? [], p3InSrgb(raw))).toBeLessThan(TOLERANCE);
    });
  });

  it("Adobe RGB (1998) in a PNG: each variant pixel is the sRGB equivalent", async () => {
    const result = await optimizeImage(await heicFixture("patches-adobergb.png"), options);
    const colours = await patchColours(result);
    PATCHES.forEach((raw, i) => {
      const expected = adobeInSrgb(raw);
      expect(colourDistance(colours[i] ?? [], expected), `patch ${i}: ${colours[i]} vs ${expected}`).toBeLessThan(
        TOLERANCE,
      );
      if (i < 2) expect(colourDistance(expected, raw)).toBeGreaterThan(15);
    });
  });

  it("the blurhash of a Display P3 image carries its sRGB colour", async () => {
    // One patch of the P3 PNG, its numbers and profile kept as they are: a uniform P3 (220,60,40).
    const uniform = await sharp(await heicFixture("patches-p3.png"))
      .extract({ left: 0, top: 0, width: 64, height: 64 })
      .keepIccProfile()
      .png()
      .toBuffer();
    const stats = await sharp(uniform).stats();
    expect(stats.channels.map((c) => c.mean)).toEqual([220, 60, 40]);
    const result = await optimizeImage(uniform, options);
    expect(colourDistance(blurhashDc(result.blurhash), p3InSrgb(PATCHES[0]))).toBeLessThan(TOLERANCE);
    expect(colourDistance(blurhashDc(result.blurhash), PATCHES[0])).toBeGreaterThan(TOLERANCE + 3);
  });
});

describe("alpha", () => {
  it.each([
    ["WebP", (image: Sharp) => image.webp({ quality: 90, alphaQuality: 100 })],
    ["AVIF", (image: Sharp) => image.avif({ quality: 80, effort: 0 })],
    ["PNG", (image: Sharp) => image.png()],
  ])("a transparent %s keeps its alpha in every variant", async (_format, encode) => {
    const width = 800;
    const height = 600;
    const ramp = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) ramp[y * width + x] = Math.round((x / (width - 1)) * 255);
    }
    const rgb = await sharp(await photo(PHOTOS.landscape))
      .resize(width, height, { fit: "fill" })
      .removeAlpha()
      .raw()
      .toBuffer();
    const input = await encode(
      sharp(rgb, { raw: { width, height, channels: 3 } }).joinChannel(ramp, { raw: { width, height, channels: 1 } }),
    ).toBuffer();
    expect((await sharp(input).metadata()).hasAlpha).toBe(true);
    const result = await optimizeImage(input, options);
    for (const variant of result.variants) {
      const { data, info } = await sharp(variant.data).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(4);
      const alphaAt = (x: number) => data[(Math.floor(info.height / 2) * info.width + x) * 4 + 3] ?? -1;
      expect(alphaAt(0)).toBeLessThan(20);
      expect(Math.abs(alphaAt(Math.floor(info.width / 2)) - 128)).toBeLessThan(20);
      expect(alphaAt(info.width - 1)).toBeGreaterThan(235);
    }
  });
});

describe("metadata", () => {
  it("variants of a photo with camera, GPS, XMP and IPTC tags carry none of them", async () => {
    const tagged = await heicFixture("interior-tagged.jpg");
    const source = await sharp(tagged).metadata();
    expect([source.exif, source.xmp, source.iptc].every((block) => block !== undefined)).toBe(true);
    for (const text of ["Darkroom Camera", "SN-4242", "Someone Private", "Paris"]) {
      expect(tagged.includes(text)).toBe(true);
    }
    const result = await optimizeImage(tagged, options);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect([meta.exif, meta.xmp, meta.iptc, meta.icc, meta.orientation]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      for (const text of ["Darkroom Camera", "SN-4242", "Someone Private", "Paris", "GPS"]) {
        expect(variant.data.includes(text)).toBe(false);
      }
    }
  });
});

const BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

/** The average colour a blurhash carries (its DC component, characters 2–5), as sRGB 0–255. */
function blurhashDc(hash: string): [number, number, number] {
  const value = [...hash.slice(2, 6)].reduce((total, char) => total * 83 + BASE83.indexOf(char), 0);
  return [value >> 16, (value >> 8) & 255, value & 255];
}

/**
 * A HEIC file written by heif-enc (ftyp, meta, then mdat; one image, item 1, located by a 4-byte
 * base offset) with an nclx `colr` property added to it and associated with its image: the boxes
 * around it grow, and the image data's offset moves by as many bytes.
 */
function withNclxColour(file: Buffer, nclx: { primaries: number; transfer: number }): Buffer {
  const colr = Buffer.alloc(19);
  colr.writeUInt32BE(19, 0);
  colr.write("colrnclx", 4, "latin1");
  colr.writeUInt16BE(nclx.primaries, 12);
  colr.writeUInt16BE(nclx.transfer, 14);
  colr.writeUInt16BE(6, 16); // matrix coefficients: BT.601
  colr[18] = 0x80; // full range
  const find = (type: string, from = 0) => file.indexOf(type, from) - 4;
  const [meta, iloc, iprp, ipco, ipma] = ["meta", "iloc", "iprp", "ipco", "ipma"].map((type) => find(type)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  expect(meta).toBe(file.readUInt32BE(0)); // ftyp, then meta
  const ipcoEnd = ipco + file.readUInt32BE(ipco);
  let properties = 0;
  for (let at = ipco + 8; at < ipcoEnd; at += file.readUInt32BE(at)) properties++;
  // ipma (version 0, 1-byte associations): entry_count, then item 1's ID, association_count, associations.
  expect(file.readUInt32BE(ipma + 12)).toBe(1);
  expect(file.readUInt16BE(ipma + 16)).toBe(1);
  const associations = file[ipma + 18] ?? 0;
  const associationsEnd = ipma + 19 + associations;
  const patched = Buffer.concat([
    file.subarray(0, ipcoEnd),
    colr,
    file.subarray(ipcoEnd, associationsEnd),
    Buffer.from([properties + 1]), // not essential
    file.subarray(associationsEnd),
  ]);
  const grow = (at: number, by: number) => patched.writeUInt32BE(patched.readUInt32BE(at) + by, at);
  grow(meta, 20);
  grow(iprp, 20);
  grow(ipco, 19);
  grow(ipma + 19, 1);
  patched[ipma + 19 + 18] = associations + 1;
  // iloc version 0: sizes, item_count, then item 1: ID, data_reference_index, a 4-byte base offset.
  expect([patched[iloc + 8], patched[iloc + 12], patched[iloc + 13]]).toEqual([0, 0x44, 0x40]);
  expect(patched.readUInt16BE(iloc + 14)).toBe(1);
  grow(iloc + 20, 20);
  return patched;
}
