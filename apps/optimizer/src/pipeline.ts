import { open, readFile } from "node:fs/promises";
import {
  capturedAtFromExif,
  heifContentType,
  isHeifSequence,
  type PlannedVariant,
  variantPlan,
} from "@darkroom/domain";
import sharp, { type Metadata, type OutputInfo } from "sharp";
import { encodeBlurhash } from "./blurhash.ts";
import { HeicDecodeError, type HeicDecoder } from "./heic.ts";

sharp.cache(false);

/** The image cannot be optimized, whatever the number of tries: the file ends `failed` with this reason. */
export class UnprocessableImageError extends Error {
  override name = "UnprocessableImageError";
}

export interface EncodedVariant extends PlannedVariant {
  data: Buffer;
}

export interface OptimizedImage {
  /** Of the oriented original. */
  width: number;
  height: number;
  blurhash: string;
  variants: EncodedVariant[];
  /** When the photo was taken, from its EXIF (see `capturedAtFromExif`); null if unknown. */
  capturedAt: string | null;
}

export interface PipelineOptions {
  maxInputPixels: number;
  /** Decodes HEIC files, which this sharp build cannot (it has no HEVC decoder). */
  heicDecoder: HeicDecoder;
}

type Raw = { data: Buffer; info: OutputInfo };

const BLURHASH_BOX = 32;
/**
 * WebP settings of every variant. Effort 2 encodes about 3x faster than the default 4 for files about
 * 4% larger at the same quality (measured on the test photos at 1024 px).
 */
export const WEBP_OPTIONS = { quality: 80, effort: 2 } as const;

function orientedSize(meta: Metadata): { width: number; height: number } {
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new UnprocessableImageError("the image has no dimensions");
  return { width, height };
}

function rawInput(raw: Raw) {
  return sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } });
}

async function resizeRaw(raw: Raw, width: number, height: number): Promise<Raw> {
  if (raw.info.width === width && raw.info.height === height) return raw;
  return rawInput(raw).resize(width, height, { fit: "fill" }).raw().toBuffer({ resolveWithObject: true });
}

function encodeWebp(raw: Raw): Promise<Buffer> {
  return rawInput(raw).webp(WEBP_OPTIONS).toBuffer();
}

/**
 * A HEIF file that libheif decodes (`image/heic` or `image/heif` by its brands, see
 * `heifContentType`). sharp reads AVIF itself, but not HEVC.
 */
export function isHeic(head: Buffer): boolean {
  const type = heifContentType(head);
  return type === "image/heic" || type === "image/heif";
}

/** Enough for an `ftyp` box with some 60 compatible brands. */
const HEAD_BYTES = 256;

/** The first bytes of the input (enough for `isHeic`); none when a file cannot be read. */
async function headOf(input: Buffer | string): Promise<Buffer> {
  if (Buffer.isBuffer(input)) return input.subarray(0, HEAD_BYTES);
  const file = await open(input).catch(() => undefined);
  if (!file) return Buffer.alloc(0);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * An image sequence (a track of frames) is decoded through its still image, which libheif calls the
 * primary image and which cameras may write beside the track; libheif-js offers no decoding of a
 * track to JavaScript, so a file that is only a track fails with this reason.
 */
export const SEQUENCE_WITHOUT_STILL =
  "the HEIF file is an image sequence without a still image: only a still image, or the primary image of a sequence, is decoded";

/**
 * A HEIC original decoded by libheif (an uncompressed TIFF with its colour profile, and the EXIF
 * block sharp would not see in it); any other, as it is.
 */
async function decodableBySharp(
  input: Buffer | string,
  options: PipelineOptions,
): Promise<{ input: Buffer | string; exif?: Buffer | undefined }> {
  const head = await headOf(input);
  if (!isHeic(head)) return { input };
  try {
    const decoded = await options.heicDecoder.decode(input, options.maxInputPixels);
    return { input: decoded.tiff, exif: decoded.exif };
  } catch (error) {
    if (
      error instanceof HeicDecodeError &&
      isHeifSequence(head) &&
      /could not be read|no primary image/.test(error.message)
    ) {
      throw new UnprocessableImageError(SEQUENCE_WITHOUT_STILL);
    }
    if (error instanceof HeicDecodeError) throw new UnprocessableImageError(error.message);
    throw error;
  }
}

/**
 * A TIFF is itself the structure EXIF is made of, and sharp does not expose its Exif IFD: the file is
 * read whole (TIFF originals are rare, and the Exif IFD may sit anywhere in them).
 */
async function tiffExif(input: Buffer | string, meta: Metadata): Promise<Buffer | undefined> {
  if (meta.format !== "tiff") return undefined;
  return typeof input === "string" ? readFile(input).catch(() => undefined) : input;
}

/** Explains sharp's and libvips' errors in words a client can act on (never naming a local path). */
function describeDecodeError(error: unknown, input: Buffer | string): string {
  let text = error instanceof Error ? error.message : String(error);
  if (typeof input === "string") {
    if (/input file is missing/i.test(text)) return "the original is missing";
    text = text.split(input).join("the original");
  }
  if (/pixel limit/i.test(text)) return "the image has more pixels than allowed";
  return `the image could not be decoded (${text.split("\n")[0]?.slice(0, 200)})`;
}

/**
 * Decodes the original once (with shrink-on-load, oriented, in sRGB, 8 bits), then derives each
 * smaller variant from the one above it and the blurhash from a ~32 px image. The original is its
 * bytes, or the path of a local file, which libvips reads itself (no copy in this process's memory).
 * A HEIC original is first decoded by libheif in a worker thread (see heic.ts), then takes the same
 * path. Colours are converted to sRGB from the original's embedded ICC profile, if any (sharp does
 * this on its own); variants carry no metadata. The capture date is read from the original's EXIF
 * (JPEG, PNG, WebP, TIFF, AVIF as sharp exposes it; HEIC as libheif does); nothing else of it is kept.
 */
export async function optimizeImage(original: Buffer | string, options: PipelineOptions): Promise<OptimizedImage> {
  const { input, exif } = await decodableBySharp(original, options);
  const open = () => sharp(input, { limitInputPixels: options.maxInputPixels, failOn: "error", pages: 1 });
  let meta: Metadata;
  try {
    meta = await open().metadata();
  } catch (error) {
    throw new UnprocessableImageError(describeDecodeError(error, input));
  }
  const { width, height } = orientedSize(meta);
  if ((meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0) > options.maxInputPixels) {
    throw new UnprocessableImageError(
      `the image has ${width}x${height} pixels, more than the ${options.maxInputPixels} allowed`,
    );
  }
  const plan = variantPlan(width, height);
  const largest = plan.at(-1);
  if (!largest) throw new Error("empty variant plan");

  // sharp converts an image with a profile to sRGB, but a 16-bit RGB one to Display P3, whose numbers
  // would then be read as sRGB (washed-out colours): such an image goes to 8-bit sRGB from the start.
  const deepWithProfile = meta.icc !== undefined && meta.depth === "ushort" && meta.space === "rgb16";
  let top: Raw;
  try {
    top = await (deepWithProfile ? open().pipelineColourspace("srgb") : open())
      .autoOrient()
      .resize(largest.width, largest.height, { fit: "fill" })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new UnprocessableImageError(describeDecodeError(error, input));
  }

  const raws: Raw[] = [];
  let previous = top;
  for (const variant of [...plan].reverse()) {
    previous = await resizeRaw(previous, variant.width, variant.height);
    raws.unshift(previous);
  }
  const variants = await Promise.all(
    plan.map(async (variant, index) => ({ ...variant, data: await encodeWebp(raws[index] as Raw) })),
  );

  const smallest = raws[0] as Raw;
  const scale = Math.min(1, BLURHASH_BOX / Math.max(smallest.info.width, smallest.info.height));
  const tiny = await rawInput(smallest)
    .resize(
      Math.max(1, Math.round(smallest.info.width * scale)),
      Math.max(1, Math.round(smallest.info.height * scale)),
      {
        fit: "fill",
      },
    )
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const blurhash = encodeBlurhash(tiny.data, tiny.info.width, tiny.info.height, 4, 3);
  const capturedAt = capturedAtFromExif(exif ?? meta.exif ?? (await tiffExif(input, meta)), new Date());
  return { width, height, blurhash, variants, capturedAt };
}
