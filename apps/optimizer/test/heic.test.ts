import path from "node:path";
import { isHeifSequence } from "@darkroom/domain";
import { psnrAgainstLibheif, withDeclaredSize } from "@darkroom/testing/heic";
import { colourDistance, heicFixture, heicFixturesDir, meanColour } from "@darkroom/testing/photos";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeicDecoder, HeicDecodeError } from "../src/heic.ts";
import { isHeic, optimizeImage, SEQUENCE_WITHOUT_STILL, UnprocessableImageError } from "../src/pipeline.ts";

/** The optimizer's default MAX_INPUT_PIXELS. */
const MAX_INPUT_PIXELS = 100_000_000;
const heicDecoder = createHeicDecoder({ threads: 2, timeoutMs: 60_000 });
const options = { maxInputPixels: MAX_INPUT_PIXELS, heicDecoder };
afterAll(() => heicDecoder.close());

let phone: Buffer;
let corner: Buffer;
beforeAll(async () => {
  [phone, corner] = await Promise.all([heicFixture("seeding-4032x3024.heic"), heicFixture("sunset-corner.heic")]);
});

async function rawOf(image: Buffer) {
  return sharp(image).raw().toBuffer({ resolveWithObject: true });
}

/**
 * The file with its 16-byte `pixi` property (heif-enc writes one, associated with the image)
 * replaced by another property of 16 bytes: `irot` or `imir` and its one byte, then padding that
 * libheif skips. Sizes and offsets stay as they are.
 */
function withTransform(file: Buffer, type: "irot" | "imir", value: number): Buffer {
  const at = file.indexOf("pixi") - 4;
  expect(file.readUInt32BE(at)).toBe(16);
  const patched = Buffer.from(file);
  patched.fill(0, at, at + 16);
  patched.writeUInt32BE(16, at);
  patched.write(type, at + 4, "latin1");
  patched[at + 8] = value;
  return patched;
}

/** Whether the 40×40 box centred on (x, y) of a variant is the red block (mean colour near pure red). */
async function isRedAround(variant: Buffer, x: number, y: number): Promise<boolean> {
  const box = await sharp(variant)
    .extract({ left: x - 20, top: y - 20, width: 40, height: 40 })
    .png()
    .toBuffer();
  return colourDistance(await meanColour(box), [255, 0, 0]) < 40;
}

async function expectUnprocessable(input: Buffer, maxInputPixels = MAX_INPUT_PIXELS): Promise<string> {
  const error = await optimizeImage(input, { maxInputPixels, heicDecoder }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UnprocessableImageError);
  const message = (error as Error).message;
  expect(message).toMatch(/^[a-z]/i);
  expect(message.length).toBeLessThan(300);
  expect(message).not.toMatch(/\n/);
  return message;
}

describe("HEIC originals", () => {
  it("a 4032×3024 HEIC gives three WebP variants at libheif's size; the 1024 one is ≥ 30 dB from libheif's own decoding", async () => {
    expect(isHeic(phone)).toBe(true);
    const result = await optimizeImage(phone, options);
    expect({ width: result.width, height: result.height }).toEqual({ width: 4032, height: 3024 });
    expect(result.variants.map((v) => [v.variantSize, v.width, v.height])).toEqual([
      ["128", 128, 96],
      ["512", 512, 384],
      ["1024", 1024, 768],
    ]);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", variant.width, variant.height]);
    }
    expect(result.blurhash).toHaveLength(28);

    // The reference: libheif-js's decoding, resized by sharp with the pipeline's kernel (lanczos3),
    // in one step. (libheif 1.15's heif-convert, a native build, decodes this file within 52 dB of it.)
    const against = await psnrAgainstLibheif(phone, result.variants[2]?.data as Buffer);
    expect([against.decodedWidth, against.decodedHeight]).toEqual([4032, 3024]);
    expect(against.psnr).toBeGreaterThanOrEqual(30);
  }, 90_000); // two decodings of 12 MP (about 1 s each, more on a busy machine) and libheif compiled twice

  it("a HEIC with an alpha channel keeps it in every variant", async () => {
    const result = await optimizeImage(await heicFixture("interior-alpha.heic"), options);
    expect([result.width, result.height]).toEqual([600, 472]);
    for (const variant of result.variants) {
      const { data, info } = await rawOf(variant.data);
      expect(info.channels).toBe(4);
      const alphaAt = (x: number) => data[(Math.floor(info.height / 2) * info.width + x) * 4 + 3] ?? -1;
      expect(alphaAt(0)).toBeLessThan(20);
      expect(alphaAt(Math.floor(info.width / 2))).toBeGreaterThan(100);
      expect(alphaAt(Math.floor(info.width / 2))).toBeLessThan(160);
      expect(alphaAt(info.width - 1)).toBeGreaterThan(235);
    }
  });

  it("no transform: the red block stays in the top-left corner", async () => {
    const result = await optimizeImage(corner, options);
    expect([result.width, result.height]).toEqual([480, 320]);
    const variant = result.variants[1]?.data as Buffer; // 480×320 (not enlarged)
    expect(await isRedAround(variant, 60, 40)).toBe(true);
    expect(await isRedAround(variant, 420, 40)).toBe(false);
  });

  it("a rotation (irot, 90° anticlockwise) is applied: portrait size, the red block in the bottom-left corner", async () => {
    const result = await optimizeImage(withTransform(corner, "irot", 1), options);
    expect([result.width, result.height]).toEqual([320, 480]);
    expect(result.variants.map((v) => [v.width, v.height])).toEqual([
      [85, 128],
      [320, 480],
      [320, 480],
    ]);
    const variant = result.variants[1]?.data as Buffer;
    expect(await isRedAround(variant, 40, 420)).toBe(true);
    expect(await isRedAround(variant, 40, 60)).toBe(false);
  });

  it("a mirroring (imir) is applied: the red block moves to the other side", async () => {
    const result = await optimizeImage(withTransform(corner, "imir", 1), options);
    expect([result.width, result.height]).toEqual([480, 320]);
    const variant = result.variants[1]?.data as Buffer;
    expect(await isRedAround(variant, 60, 40)).toBe(false);
    // Mirrored about one axis or the other: the block is in exactly one of the two neighbouring corners.
    const corners = [await isRedAround(variant, 420, 40), await isRedAround(variant, 60, 280)];
    expect(corners.filter(Boolean)).toHaveLength(1);
  });

  it("a file of two images: the primary one is used", async () => {
    const result = await optimizeImage(await heicFixture("two-images.heic"), options);
    expect([result.width, result.height]).toEqual([480, 320]);
    expect(await isRedAround(result.variants[1]?.data as Buffer, 60, 40)).toBe(true);
  });

  it("variants carry no EXIF, XMP or GPS from a tagged HEIC", async () => {
    const tagged = await heicFixture("interior-tagged.heic");
    expect(tagged.includes("Darkroom Camera")).toBe(true);
    const result = await optimizeImage(tagged, options);
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      expect([meta.exif, meta.xmp, meta.iptc, meta.icc]).toEqual([undefined, undefined, undefined, undefined]);
      expect(variant.data.includes("Darkroom Camera")).toBe(false);
    }
  });
});

describe("HEIC originals that cannot be decoded", () => {
  it("a truncated HEIC, a wrong brand, a huge declared size fail with a reason; the decoder goes on", async () => {
    const truncated = await expectUnprocessable(phone.subarray(0, Math.floor(phone.length / 2)));
    expect(truncated).toMatch(/HEIC image could not be/);

    // A HEIC whose ftyp says AVIF: sharp reads it, and cannot decode its HEVC image.
    const avifBrand = Buffer.from(corner);
    avifBrand.write("avif", 8, "latin1");
    expect(isHeic(avifBrand)).toBe(false);
    expect(await expectUnprocessable(avifBrand)).toMatch(/could not be decoded/);

    // An AVIF whose ftyp says HEIC: libheif-js has no AV1 decoder.
    const avif = await sharp(await heicFixture("patches-p3.png"))
      .avif({ effort: 0 })
      .toBuffer();
    const heicBrand = Buffer.from(avif);
    heicBrand.write("heic", 8, "latin1");
    expect(isHeic(heicBrand)).toBe(true);
    expect(await expectUnprocessable(heicBrand)).toMatch(/HEIC image/);

    // 60000×60000 declared in a 25 KB file: refused from the header, before any decoding.
    const started = performance.now();
    const huge = await expectUnprocessable(withDeclaredSize(corner, 60_000, 60_000));
    expect(huge).toMatch(/60000x60000 pixels, more than the 100000000 allowed/);
    expect(performance.now() - started).toBeLessThan(2_000);
    // Just over a small limit, from the header too.
    expect(await expectUnprocessable(corner, 480 * 320 - 1)).toMatch(/480x320 pixels, more than/);

    // The same decoder still decodes the next file.
    const next = await optimizeImage(corner, options);
    expect([next.width, next.height]).toEqual([480, 320]);
  });

  it("an ISO-BMFF file that is no image (ftyp mif1 and zeros) fails with a reason", async () => {
    const ftyp = Buffer.from("00000018667479706d696631000000006d69663168656963", "hex");
    expect(isHeic(ftyp)).toBe(true);
    expect(await expectUnprocessable(Buffer.concat([ftyp, Buffer.alloc(500)]))).toMatch(/HEIC image could not be read/);
  });
});

// heif-enc 1.15 (Debian 12) writes no image sequences, so none is committed: these files are a still
// HEIC given the sequence brands, and a hand-built track-only file.
describe("HEIF image sequences", () => {
  it("a file of sequence brands (msf1, hevc, and mif1) with a primary image: that image is used", async () => {
    const sequence = Buffer.from(corner);
    expect(sequence.toString("latin1", 8, 12)).toBe("heic");
    sequence.write("msf1", 8, "latin1"); // major brand
    sequence.write("hevc", 20, "latin1"); // compatible brands: mif1, hevc (was heic), miaf
    expect([isHeic(sequence), isHeifSequence(sequence)]).toEqual([true, true]);
    const result = await optimizeImage(sequence, options);
    expect([result.width, result.height]).toEqual([480, 320]);
    expect(await isRedAround(result.variants[1]?.data as Buffer, 60, 40)).toBe(true);
  });

  it("a sequence without a still image (a track only, no meta box) fails saying so", async () => {
    const ftyp = Buffer.from("00000018667479706d736631000000006d73663168657663", "hex"); // msf1, compatible hevc
    const moov = Buffer.alloc(64);
    moov.writeUInt32BE(64, 0);
    moov.write("moov", 4, "latin1");
    expect(await expectUnprocessable(Buffer.concat([ftyp, moov]))).toBe(SEQUENCE_WITHOUT_STILL);
  });
});

describe("decoder threads", () => {
  const fake = new URL("./heic-fake-thread.mjs", import.meta.url);

  async function reasonOf(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(HeicDecodeError);
    return (error as Error).message;
  }

  it("a thread that hangs past the timeout is ended and replaced; the image fails with a reason", async () => {
    const decoder = createHeicDecoder({ threads: 1, timeoutMs: 1_500, threadModule: fake });
    try {
      const first = await reasonOf(decoder.decode(Buffer.from("x"), MAX_INPUT_PIXELS));
      const started = performance.now();
      expect(await reasonOf(decoder.decode("hang", MAX_INPUT_PIXELS))).toBe(
        "decoding the HEIC image took longer than 1.5 s",
      );
      expect(performance.now() - started).toBeLessThan(4_000);
      const after = await reasonOf(decoder.decode(Buffer.from("x"), MAX_INPUT_PIXELS));
      expect(after).toMatch(/^thread \d+$/);
      expect(after).not.toBe(first);
    } finally {
      await decoder.close();
    }
  });

  it("a thread that exits or throws while decoding is replaced; the image fails with a reason", async () => {
    const decoder = createHeicDecoder({ threads: 1, timeoutMs: 10_000, threadModule: fake });
    try {
      const first = await reasonOf(decoder.decode(Buffer.from("x"), MAX_INPUT_PIXELS));
      expect(await reasonOf(decoder.decode("exit", MAX_INPUT_PIXELS))).toBe(
        "the HEIC decoder stopped while decoding the image (exit code 3)",
      );
      const second = await reasonOf(decoder.decode(Buffer.from("x"), MAX_INPUT_PIXELS));
      expect(second).not.toBe(first);
      expect(await reasonOf(decoder.decode("throw", MAX_INPUT_PIXELS))).toBe(
        "the HEIC decoder failed (the fake decoder broke)",
      );
      const third = await reasonOf(decoder.decode(Buffer.from("x"), MAX_INPUT_PIXELS));
      expect(third).not.toBe(second);
    } finally {
      await decoder.close();
    }
  });

  it("a thread whose memory grew past the limit is replaced after its image, which still succeeds", async () => {
    const decoder = createHeicDecoder({ threads: 1, timeoutMs: 60_000, maxRetainedBytes: 1 });
    try {
      for (let i = 0; i < 2; i++) {
        const { tiff } = await decoder.decode(corner, MAX_INPUT_PIXELS);
        const meta = await sharp(tiff).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(["tiff", 480, 320]);
      }
    } finally {
      await decoder.close();
    }
  });

  it("a local file is read by the thread itself", async () => {
    const { tiff } = await heicDecoder.decode(path.join(heicFixturesDir, "sunset-corner.heic"), MAX_INPUT_PIXELS);
    expect((await sharp(tiff).metadata()).width).toBe(480);
    expect(await reasonOf(heicDecoder.decode("/nonexistent/original", MAX_INPUT_PIXELS))).toBe(
      "the original is missing",
    );
  });
});
