import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { VARIANT_SIZES, variantPlan } from "@darkroom/domain";
import { colourDistance, meanColour, PHOTOS, photo, pixelBomb } from "@darkroom/testing/photos";
import { decode, isBlurhashValid } from "blurhash";
import sharp, { type Metadata, type Sharp } from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeicDecoder } from "../src/heic.ts";
import { type OptimizedImage, optimizeImage, UnprocessableImageError } from "../src/pipeline.ts";

/** The optimizer's default MAX_INPUT_PIXELS. */
const MAX_INPUT_PIXELS = 100_000_000;
const heicDecoder = createHeicDecoder({ threads: 1, timeoutMs: 60_000 });
const options = { maxInputPixels: MAX_INPUT_PIXELS, heicDecoder };
afterAll(() => heicDecoder.close());

/** Per-channel tolerance (0–255) when comparing average colours. */
const COLOUR_TOLERANCE = 25;

let landscape: Buffer;
let portrait: Buffer;
let alpha: Buffer;
let large: Buffer;

beforeAll(async () => {
  [landscape, portrait, alpha, large] = await Promise.all([
    photo(PHOTOS.landscape),
    photo(PHOTOS.portrait),
    photo(PHOTOS.alpha),
    photo(PHOTOS.large),
  ]);
});

/** optimizeImage of a fixture photo, computed once per test file (some tests look at the same result). */
const results = new Map<Buffer, Promise<OptimizedImage>>();
function optimized(input: Buffer): Promise<OptimizedImage> {
  let result = results.get(input);
  if (!result) {
    result = optimizeImage(input, options);
    results.set(input, result);
  }
  return result;
}

/**
 * The variants as a reader sees them: real dimensions and format read back from the WebP bytes,
 * checked against variantPlan, against the rule "long edge = min(N, original long edge)", and
 * against the dimensions the pipeline claims.
 */
async function expectVariantsOf(result: OptimizedImage, width: number, height: number) {
  expect({ width: result.width, height: result.height }).toEqual({ width, height });
  expect(result.variants.map((v) => v.variantSize)).toEqual(["128", "512", "1024"]);
  const plan = variantPlan(width, height);
  const metas: Metadata[] = [];
  for (const [index, variant] of result.variants.entries()) {
    const meta = await sharp(variant.data).metadata();
    metas.push(meta);
    const box = VARIANT_SIZES[index] ?? Number.NaN;
    const planned = plan[index];
    expect(meta.format).toBe("webp");
    expect({ width: meta.width, height: meta.height }).toEqual({ width: planned?.width, height: planned?.height });
    expect({ width: variant.width, height: variant.height }).toEqual({ width: meta.width, height: meta.height });
    expect(Math.max(meta.width, meta.height)).toBe(Math.min(box, Math.max(width, height)));
    // Aspect ratio kept: the short edge is the original's, scaled like the long edge, to the pixel.
    const scale = Math.min(1, box / Math.max(width, height));
    expect(Math.abs(meta.width - width * scale)).toBeLessThanOrEqual(1);
    expect(Math.abs(meta.height - height * scale)).toBeLessThanOrEqual(1);
    expect(meta.width).toBeGreaterThanOrEqual(1);
    expect(meta.height).toBeGreaterThanOrEqual(1);
  }
  return metas;
}

async function expectUnprocessable(input: Buffer | string, maxInputPixels = MAX_INPUT_PIXELS) {
  const error = await optimizeImage(input, { maxInputPixels, heicDecoder }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UnprocessableImageError);
  const message = (error as Error).message;
  // A sentence for a person, not a stack trace or an empty string.
  expect(message).toMatch(/^[a-z]/i);
  expect(message.length).toBeGreaterThan(10);
  expect(message.length).toBeLessThan(300);
  expect(message).not.toMatch(/\n|\s+at\s+\S+\s+\(/);
  return message;
}

describe("variant sizes", () => {
  it("landscape photo (1365×1074): 128, 512 and 1024 on the long edge, aspect kept", async () => {
    const result = await optimized(landscape);
    const metas = await expectVariantsOf(result, 1365, 1074);
    expect(metas.map((m) => [m.width, m.height])).toEqual([
      [128, 101],
      [512, 403],
      [1024, 806],
    ]);
  });

  it("portrait photo (2056×3088): the height is the long edge", async () => {
    const result = await optimized(portrait);
    const metas = await expectVariantsOf(result, 2056, 3088);
    expect(metas.map((m) => [m.width, m.height])).toEqual([
      [85, 128],
      [341, 512],
      [682, 1024],
    ]);
  });

  it("large photo (4272×2848)", async () => {
    await expectVariantsOf(await optimized(large), 4272, 2848);
  });

  it("an image smaller than 128 px is never enlarged: every variant is the original's size", async () => {
    const tiny = await sharp(landscape).resize(100, 60, { fit: "fill" }).jpeg().toBuffer();
    const metas = await expectVariantsOf(await optimizeImage(tiny, options), 100, 60);
    expect(metas.map((m) => [m.width, m.height])).toEqual([
      [100, 60],
      [100, 60],
      [100, 60],
    ]);
  });

  it("a 1×1 image gives three 1×1 variants and a blurhash", async () => {
    const dot = await sharp({ create: { width: 1, height: 1, channels: 3, background: "#336699" } })
      .png()
      .toBuffer();
    const result = await optimizeImage(dot, options);
    await expectVariantsOf(result, 1, 1);
    expect(result.blurhash).toHaveLength(28);
    expect(colourDistance(blurhashDc(result.blurhash), [0x33, 0x66, 0x99])).toBeLessThan(3);
  });

  it("an image between two sizes (600×400) is enlarged to none of them", async () => {
    const medium = await sharp(landscape).resize(600, 400, { fit: "fill" }).jpeg().toBuffer();
    const metas = await expectVariantsOf(await optimizeImage(medium, options), 600, 400);
    expect(metas.map((m) => [m.width, m.height])).toEqual([
      [128, 85],
      [512, 341],
      [600, 400],
    ]);
  });

  it("a panorama (4000×300) keeps its aspect ratio", async () => {
    const panorama = await sharp(large).resize(4000, 300, { fit: "fill" }).jpeg().toBuffer();
    const metas = await expectVariantsOf(await optimizeImage(panorama, options), 4000, 300);
    expect(metas.map((m) => [m.width, m.height])).toEqual([
      [128, 10],
      [512, 38],
      [1024, 77],
    ]);
  });

  it("an extreme strip (6000×20) gets variants at least 1 px high", async () => {
    const strip = await sharp(large).resize(6000, 20, { fit: "fill" }).png().toBuffer();
    const metas = await expectVariantsOf(await optimizeImage(strip, options), 6000, 20);
    expect(metas.map((m) => [m.width, m.height])).toEqual([
      [128, 1],
      [512, 2],
      [1024, 3],
    ]);
  });
});

describe("output format and metadata", () => {
  it("variants are 8-bit sRGB WebP and carry no EXIF, XMP or orientation", async () => {
    // A photo carrying camera and GPS EXIF, as phones write them.
    const withExif = await sharp(landscape)
      .withExif({
        IFD0: { Make: "Darkroom Camera", Model: "Test 1", Copyright: "someone" },
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 2408/100", GPSLongitudeRef: "E" },
      })
      .jpeg()
      .toBuffer();
    expect((await sharp(withExif).metadata()).exif).toBeDefined();
    const result = await optimizeImage(withExif, options);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect(meta.format).toBe("webp");
      expect(meta.space).toBe("srgb");
      expect(meta.depth).toBe("uchar");
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(variant.data.includes("Darkroom Camera")).toBe(false);
    }
  });

  it("EXIF orientation 6 on a landscape source gives portrait variants and a portrait width/height", async () => {
    const rotated = await sharp(landscape).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const source = await sharp(rotated).metadata();
    expect([source.width, source.height, source.orientation]).toEqual([1365, 1074, 6]);

    const result = await optimizeImage(rotated, options);
    const metas = await expectVariantsOf(result, 1074, 1365);
    expect(metas.map((m) => [m.width, m.height])).toEqual([
      [101, 128],
      [403, 512],
      [806, 1024],
    ]);
    // Rotated, not just resized to portrait: the variant matches the source turned 90° clockwise.
    const turned = await sharp(landscape).rotate(90).resize(101, 128, { fit: "fill" }).raw().toBuffer();
    const squashed = await sharp(landscape).resize(101, 128, { fit: "fill" }).raw().toBuffer();
    const variant = await sharp(result.variants[0]?.data).removeAlpha().raw().toBuffer();
    expect(meanAbsoluteDifference(variant, turned)).toBeLessThan(meanAbsoluteDifference(variant, squashed) / 2);
  });

  it("EXIF orientation 8 on a portrait source gives landscape variants", async () => {
    const rotated = await sharp(portrait).withMetadata({ orientation: 8 }).jpeg().toBuffer();
    const result = await optimizeImage(rotated, options);
    await expectVariantsOf(result, 3088, 2056);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    "EXIF orientation %i: dimensions follow the oriented image",
    async (orientation) => {
      const tagged = await sharp(landscape)
        .resize(300, 200, { fit: "fill" })
        .withMetadata({ orientation })
        .jpeg()
        .toBuffer();
      const turned = orientation >= 5;
      const result = await optimizeImage(tagged, options);
      await expectVariantsOf(result, turned ? 200 : 300, turned ? 300 : 200);
    },
  );

  it("a PNG with transparency keeps its alpha channel", async () => {
    // goldfish.png has an alpha channel, but a fully opaque one: give it a left-to-right ramp.
    const width = 900;
    const height = 593;
    const ramp = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) ramp[y * width + x] = Math.round((x / (width - 1)) * 255);
    }
    const rgb = await sharp(alpha).resize(width, height, { fit: "fill" }).removeAlpha().png().toBuffer();
    const transparent = await sharp(rgb)
      .joinChannel(ramp, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();
    expect((await sharp(transparent).metadata()).hasAlpha).toBe(true);

    const result = await optimizeImage(transparent, options);
    await expectVariantsOf(result, width, height);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect(meta.hasAlpha).toBe(true);
      const { data, info } = await sharp(variant.data).raw().toBuffer({ resolveWithObject: true });
      const alphaAt = (x: number) => data[(Math.floor(info.height / 2) * info.width + x) * info.channels + 3];
      expect(alphaAt(0)).toBeLessThan(20);
      expect(alphaAt(info.width - 1)).toBeGreaterThan(235);
    }
  });

  it("semi-transparent pixels keep their colour (not darkened by premultiplied alpha)", async () => {
    const width = 2000;
    const height = 1000;
    const pixels = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      pixels.set([200, 100, 50, Math.round(((i % width) / (width - 1)) * 255)], i * 4);
    }
    const input = await sharp(pixels, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
    const result = await optimizeImage(input, options);
    for (const variant of result.variants) {
      const { data, info } = await sharp(variant.data).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(4);
      const row = Math.floor(info.height / 2);
      for (const fraction of [0.25, 0.5, 1]) {
        const x = Math.min(info.width - 1, Math.floor(info.width * fraction));
        const at = (row * info.width + x) * 4;
        const pixel = [...data.subarray(at, at + 4)];
        expect(colourDistance(pixel, [200, 100, 50])).toBeLessThan(COLOUR_TOLERANCE);
        expect(Math.abs((pixel[3] ?? 0) - 255 * fraction)).toBeLessThan(COLOUR_TOLERANCE);
      }
    }
  });

  it("goldfish.png (RGBA, fully opaque) is optimized with its colours", async () => {
    const result = await optimizeImage(alpha, options);
    await expectVariantsOf(result, 3640, 2400);
    const expected = await meanColour(alpha);
    expect(colourDistance(await meanColour(result.variants[2]?.data ?? Buffer.alloc(0)), expected)).toBeLessThan(
      COLOUR_TOLERANCE,
    );
  });

  it("a CMYK JPEG gives 8-bit sRGB variants with the photo's colours", async () => {
    const cmyk = await sharp(landscape).toColourspace("cmyk").jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const result = await optimizeImage(cmyk, options);
    await expectVariantsOf(result, 1365, 1074);
    const expected = await meanColour(landscape);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect([meta.space, meta.depth, meta.channels]).toEqual(["srgb", "uchar", 3]);
      expect(colourDistance(await meanColour(variant.data), expected)).toBeLessThan(COLOUR_TOLERANCE);
    }
  });

  it("a 16-bit PNG gives 8-bit sRGB variants with the photo's colours", async () => {
    const deep = await sharp(landscape).toColourspace("rgb16").png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe("ushort");
    const result = await optimizeImage(deep, options);
    await expectVariantsOf(result, 1365, 1074);
    const expected = await meanColour(landscape);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect([meta.space, meta.depth]).toEqual(["srgb", "uchar"]);
      expect(colourDistance(await meanColour(variant.data), expected)).toBeLessThan(COLOUR_TOLERANCE);
    }
  });

  it("a greyscale JPEG gives sRGB variants", async () => {
    const grey = await sharp(landscape).toColourspace("b-w").jpeg().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const result = await optimizeImage(grey, options);
    await expectVariantsOf(result, 1365, 1074);
    for (const variant of result.variants) {
      expect((await sharp(variant.data).metadata()).space).toBe("srgb");
    }
  });
});

describe("input formats", () => {
  it("an animated GIF: the first frame, at one frame's size", async () => {
    const red = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#ff0000" } })
      .png()
      .toBuffer();
    const blue = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#0000ff" } })
      .png()
      .toBuffer();
    const gif = await sharp([red, blue], { join: { animated: true } })
      .gif({ delay: [100, 100] })
      .toBuffer();
    const source = await sharp(gif).metadata();
    expect([source.format, source.pages, source.width]).toEqual(["gif", 2, 300]);

    const result = await optimizeImage(gif, options);
    await expectVariantsOf(result, 300, 200);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect(meta.pages ?? 1).toBe(1);
      expect(colourDistance(await meanColour(variant.data), [255, 0, 0])).toBeLessThan(COLOUR_TOLERANCE);
    }
  });

  it("a local file, read by libvips itself, gives what its bytes give", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "darkroom-local-"));
    try {
      await writeFile(path.join(dir, "original"), portrait);
      const fromFile = await optimizeImage(path.join(dir, "original"), options);
      const fromBytes = await optimizeImage(portrait, options);
      expect(fromFile.blurhash).toBe(fromBytes.blurhash);
      expect([fromFile.width, fromFile.height]).toEqual([fromBytes.width, fromBytes.height]);
      expect(fromFile.variants.map((v) => v.data.length)).toEqual(fromBytes.variants.map((v) => v.data.length));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["TIFF", (image: Sharp) => image.tiff()],
    ["WebP", (image: Sharp) => image.webp({ quality: 90 })],
    ["AVIF", (image: Sharp) => image.avif({ quality: 70, effort: 0 })],
  ])("a %s input", async (_format, encode) => {
    const input = await encode(sharp(landscape).resize(800)).toBuffer();
    const source = await sharp(input).metadata();
    const result = await optimizeImage(input, options);
    await expectVariantsOf(result, 800, source.height);
    expect(source.height).toBe(629);
    const expected = await meanColour(landscape);
    expect(colourDistance(await meanColour(result.variants[2]?.data ?? Buffer.alloc(0)), expected)).toBeLessThan(
      COLOUR_TOLERANCE,
    );
  });
});

describe("blurhash", () => {
  it.each([
    ["landscape", () => landscape],
    ["portrait", () => portrait],
    ["goldfish", () => alpha],
    ["large", () => large],
  ])("%s: 28 characters (4×3 components) whose colour is the photo's average", async (_name, input) => {
    const result = await optimized(input());
    expect(result.blurhash).toHaveLength(28);
    expect(isBlurhashValid(result.blurhash)).toEqual({ result: true });
    // The size flag (first character) encodes 4×3 components: (3 - 1) * 9 + (4 - 1) = 21 → "L".
    expect(result.blurhash[0]).toBe("L");

    // Decoded, it averages to about the photo's average colour (blurhash averages in linear light,
    // so a contrasted photo decodes a little brighter than its sRGB mean).
    const pixels = decode(result.blurhash, 32, 32);
    const decoded = [0, 1, 2].map((channel) => {
      let sum = 0;
      for (let i = channel; i < pixels.length; i += 4) sum += pixels[i] ?? 0;
      return sum / (pixels.length / 4);
    });
    expect(colourDistance(decoded, await meanColour(input()))).toBeLessThan(COLOUR_TOLERANCE);

    // Its DC component, exactly: the photo's mean in linear light.
    expect(colourDistance(blurhashDc(result.blurhash), await linearMeanColour(input()))).toBeLessThan(8);
  });

  it("is computed from the oriented image", async () => {
    const tagged = await sharp(landscape).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const turned = await sharp(landscape).rotate(90).jpeg({ quality: 95 }).toBuffer();
    const [fromTagged, fromTurned, fromUnturned] = await Promise.all(
      [tagged, turned, landscape].map(async (input) => (await optimized(input)).blurhash),
    );
    // All decoded into the same portrait box: the EXIF-tagged photo looks like the turned one.
    const picture = (hash: string | undefined) => Buffer.from(decode(hash ?? "", 24, 32));
    const toTurned = meanAbsoluteDifference(picture(fromTagged), picture(fromTurned));
    const toUnturned = meanAbsoluteDifference(picture(fromTagged), picture(fromUnturned));
    expect(toTurned).toBeLessThan(5);
    expect(toTurned).toBeLessThan(toUnturned / 2);
  });
});

describe("unprocessable inputs", () => {
  it("a truncated JPEG (the first half of a real one)", async () => {
    const message = await expectUnprocessable(landscape.subarray(0, Math.floor(landscape.length / 2)));
    expect(message).toMatch(/could not be decoded/);
  });

  it("random bytes after a JPEG header", async () => {
    let seed = 42;
    const noise = Buffer.alloc(20_000, 0).map(() => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed & 0xff;
    });
    await expectUnprocessable(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise]));
  });

  it("bytes that are no image at all", async () => {
    await expectUnprocessable(Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"));
  });

  it("an empty buffer", async () => {
    await expectUnprocessable(Buffer.alloc(0));
  });

  it.each([
    ["PNG", (image: Sharp) => image.png()],
    ["GIF", (image: Sharp) => image.gif()],
    ["WebP", (image: Sharp) => image.webp()],
    ["TIFF", (image: Sharp) => image.tiff()],
    ["AVIF", (image: Sharp) => image.avif({ effort: 0 })],
    ["progressive JPEG", (image: Sharp) => image.jpeg({ progressive: true })],
  ])("a truncated %s (its first half)", async (_format, encode) => {
    const whole = await encode(sharp(landscape).resize(600)).toBuffer();
    await expectUnprocessable(whole.subarray(0, Math.floor(whole.length / 2)));
  });

  it("a HEIC file (by its ftyp brand) with no image in it fails with libheif's reason, as bytes or as a local file", async () => {
    const ftyp = Buffer.from("00000018667479706865696300000000686569636d696631", "hex");
    const heic = Buffer.concat([ftyp, Buffer.alloc(2_000, 7)]);
    expect(await expectUnprocessable(heic)).toMatch(/^the HEIC image could not be read \(/);
    const dir = await mkdtemp(path.join(os.tmpdir(), "darkroom-heic-"));
    try {
      await writeFile(path.join(dir, "photo"), heic);
      const message = await expectUnprocessable(path.join(dir, "photo"));
      expect(message).toMatch(/^the HEIC image could not be read \(/);
      expect(message).not.toContain(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a local file that is missing or truncated is explained without naming its path", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "darkroom-local-"));
    try {
      const missing = path.join(dir, "gone.jpg");
      expect(await expectUnprocessable(missing)).toBe("the original is missing");
      const truncated = path.join(dir, "half.jpg");
      await writeFile(truncated, landscape.subarray(0, Math.floor(landscape.length / 2)));
      const message = await expectUnprocessable(truncated);
      expect(message).toMatch(/could not be decoded/);
      expect(message).not.toContain(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a truncated AVIF is reported as undecodable, not as a HEIC file", async () => {
    const avif = await sharp(landscape).resize(600).avif({ effort: 0 }).toBuffer();
    expect((await sharp(avif).metadata()).compression).toBe("av1");
    const message = await expectUnprocessable(avif.subarray(0, Math.floor(avif.length / 2)));
    expect(message).not.toMatch(/HEIC/i);
    expect(message).toMatch(/could not be decoded/);
  });

  it("a pixel bomb (a ~100 KB PNG declaring 30000×30000) fails fast, before decoding", async () => {
    const bomb = pixelBomb(30_000);
    expect(bomb.length).toBeLessThan(200_000);
    const header = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([header.width, header.height]).toEqual([30_000, 30_000]);

    const started = performance.now();
    const message = await expectUnprocessable(bomb, MAX_INPUT_PIXELS);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(message).toMatch(/pixels/);
  });

  it("a small MAX_INPUT_PIXELS refuses a real photo just over it, and accepts it at exactly its size", async () => {
    const pixels = 1365 * 1074;
    const started = performance.now();
    const message = await expectUnprocessable(landscape, pixels - 1);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(message).toMatch(/pixels/);
    await expectVariantsOf(await optimizeImage(landscape, { maxInputPixels: pixels, heicDecoder }), 1365, 1074);
  });
});

function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

const BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

/** The average colour a blurhash carries (its DC component, characters 2–5), as sRGB 0–255. */
function blurhashDc(hash: string): [number, number, number] {
  const value = [...hash.slice(2, 6)].reduce((total, char) => total * 83 + BASE83.indexOf(char), 0);
  return [value >> 16, (value >> 8) & 255, value & 255];
}

/** The mean colour of an image computed in linear light, as sRGB 0–255 (how blurhash averages). */
async function linearMeanColour(image: Buffer): Promise<number[]> {
  const toLinear = Array.from({ length: 256 }, (_, v) => {
    const x = v / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  const toSrgb = (x: number) => 255 * (x <= 0.0031308 ? x * 12.92 : 1.055 * x ** (1 / 2.4) - 0.055);
  const { data } = await sharp(image).removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({
    resolveWithObject: true,
  });
  const sums = [0, 0, 0];
  for (let i = 0; i < data.length; i += 3) {
    for (let c = 0; c < 3; c++) sums[c] = (sums[c] ?? 0) + (toLinear[data[i + c] ?? 0] ?? 0);
  }
  return sums.map((sum) => toSrgb(sum / (data.length / 3)));
}
