import path from "node:path";
import { heicFixture, heicFixturesDir, photo } from "@darkroom/testing/photos";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeicDecoder } from "../src/heic.ts";
import { optimizeImage } from "../src/pipeline.ts";

const heicDecoder = createHeicDecoder({ threads: 1, timeoutMs: 60_000 });
const options = { maxInputPixels: 100_000_000, heicDecoder };
afterAll(() => heicDecoder.close());

/** dated.jpg and dated.heic: DateTimeOriginal 2024:06:01 14:22:03, OffsetTimeOriginal +02:00, and GPS. */
const TAKEN = "2024-06-01T14:22:03+02:00";
let dated: Buffer;
beforeAll(async () => {
  dated = await heicFixture("dated.jpg");
});

describe("capturedAt", () => {
  it("is read from a JPEG's EXIF, with its offset", async () => {
    expect((await optimizeImage(dated, options)).capturedAt).toBe(TAKEN);
  });

  it("is read from a HEIC's EXIF block (through libheif)", async () => {
    expect((await optimizeImage(await heicFixture("dated.heic"), options)).capturedAt).toBe(TAKEN);
  });

  it("is read from the EXIF of a WebP, a PNG, an AVIF and a TIFF", async () => {
    for (const format of ["webp", "png", "avif"] as const) {
      const converted = await sharp(dated).keepExif().toFormat(format).toBuffer();
      expect((await sharp(converted).metadata()).exif, format).toBeDefined();
      expect((await optimizeImage(converted, options)).capturedAt, format).toBe(TAKEN);
    }
    // A TIFF's Exif IFD, which sharp does not expose (written by exiftool), from its bytes and from its file.
    expect((await optimizeImage(await heicFixture("dated.tiff"), options)).capturedAt).toBe(TAKEN);
    expect((await optimizeImage(path.join(heicFixturesDir, "dated.tiff"), options)).capturedAt).toBe(TAKEN);
  });

  it("is a local time when the camera wrote no offset", async () => {
    const noOffset = await sharp(await photo("sunset_by_Aitzol_Berasategi.jpg"))
      .resize(64)
      .withExif({ IFD2: { DateTimeOriginal: "2021:03:04 05:06:07" } })
      .jpeg()
      .toBuffer();
    expect((await optimizeImage(noOffset, options)).capturedAt).toBe("2021-03-04T05:06:07");
  });

  it("is null without EXIF, or for a date that is none", async () => {
    expect((await optimizeImage(await heicFixture("sunset-corner.heic"), options)).capturedAt).toBeNull();
    const zeros = await sharp(await photo("sunset_by_Aitzol_Berasategi.jpg"))
      .resize(64)
      .withExif({ IFD2: { DateTimeOriginal: "0000:00:00 00:00:00" } })
      .jpeg()
      .toBuffer();
    expect((await optimizeImage(zeros, options)).capturedAt).toBeNull();
  });

  it("the variants of a dated photo with GPS carry no EXIF", async () => {
    for (const original of [dated, await heicFixture("dated.heic")]) {
      const result = await optimizeImage(original, options);
      for (const variant of result.variants) {
        expect((await sharp(variant.data).metadata()).exif).toBeUndefined();
        expect(variant.data.includes("GPS")).toBe(false);
        expect(variant.data.includes("2024:06:01")).toBe(false);
      }
    }
  });
});
