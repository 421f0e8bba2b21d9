import { createRequire } from "node:module";
import sharp from "sharp";

/** Peak signal-to-noise ratio (dB) of two 8-bit images of the same size and channels. */
export function psnr(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) throw new Error(`psnr of ${a.length} and ${b.length} bytes`);
  let squares = 0;
  for (let i = 0; i < a.length; i++) squares += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return 10 * Math.log10((255 * 255) / (squares / a.length));
}

/**
 * libheif's own decoding of a HEIC file's primary image (libheif-js, called directly on this
 * thread: no worker, no TIFF), as interleaved RGB.
 */
export function libheifDecode(file: Buffer): { data: Buffer; width: number; height: number } {
  // biome-ignore lint/suspicious/noExplicitAny: libheif-js has no typings
  const libheif = createRequire(import.meta.url)("libheif-js/wasm-bundle") as any;
  const context = libheif.heif_context_alloc();
  try {
    libheif.heif_context_read_from_memory(context, file);
    const handle = libheif.heif_js_context_get_primary_image_handle(context);
    const image = libheif.heif_js_decode_image2(
      handle,
      libheif.heif_colorspace.heif_colorspace_RGB,
      libheif.heif_chroma.heif_chroma_interleaved_RGB,
    );
    const [plane] = image.channels;
    const data = Buffer.alloc(plane.width * plane.height * 3);
    for (let y = 0; y < plane.height; y++) {
      data.set(plane.data.subarray(y * plane.stride, y * plane.stride + plane.width * 3), y * plane.width * 3);
    }
    libheif.heif_image_release(image.image);
    libheif.heif_image_handle_release(handle);
    return { data, width: plane.width, height: plane.height };
  } finally {
    libheif.heif_context_free(context);
  }
}

/**
 * How close a variant (any format sharp reads, 3 channels) is to the HEIC original as libheif itself
 * decodes it, in dB: the reference is libheif-js's decoding resized by sharp to the variant's size
 * with the pipeline's kernel (lanczos3), in one step. Answers the reference's size too.
 */
export async function psnrAgainstLibheif(
  original: Buffer,
  variant: Buffer,
): Promise<{ psnr: number; decodedWidth: number; decodedHeight: number }> {
  const reference = libheifDecode(original);
  const actual = await sharp(variant).raw().toBuffer({ resolveWithObject: true });
  if (actual.info.channels !== 3) throw new Error(`the variant has ${actual.info.channels} channels, not 3`);
  const expected = await sharp(reference.data, {
    raw: { width: reference.width, height: reference.height, channels: 3 },
  })
    .resize(actual.info.width, actual.info.height, { fit: "fill" })
    .raw()
    .toBuffer();
  return { psnr: psnr(actual.data, expected), decodedWidth: reference.width, decodedHeight: reference.height };
}

/** The file with every `ispe` (image spatial extents) property declaring `width` × `height`. */
export function withDeclaredSize(file: Buffer, width: number, height: number): Buffer {
  const patched = Buffer.from(file);
  for (let at = patched.indexOf("ispe"); at >= 0; at = patched.indexOf("ispe", at + 4)) {
    patched.writeUInt32BE(width, at + 8);
    patched.writeUInt32BE(height, at + 12);
  }
  return patched;
}
