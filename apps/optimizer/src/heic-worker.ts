/**
 * A decoder thread: libheif (compiled to WebAssembly, with libde265 for HEVC) decodes the primary
 * image of a HEIC file, its transforms (rotation, mirroring, crop) applied, into an uncompressed
 * TIFF that carries the image's colour profile (see tiff.ts). One image at a time; the module is
 * compiled once, when the thread starts, and stays warm for the next images.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { HeicReply, HeicRequest, HeicWorkerData } from "./heic.ts";
import { uncompressedTiff } from "./tiff.ts";

/** The part of libheif-js's API used here (its own typings are not exported by the package). */
interface Libheif {
  heif_context_alloc(): object;
  heif_context_free(context: object): void;
  heif_context_read_from_memory(context: object, bytes: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(context: object): Handle | HeifError;
  heif_image_handle_release(handle: Handle): void;
  heif_image_handle_get_width(handle: Handle): number;
  heif_image_handle_get_height(handle: Handle): number;
  heif_image_handle_has_alpha_channel(handle: Handle): number;
  heif_js_decode_image2(handle: Handle, colorspace: unknown, chroma: unknown): Decoded | HeifError;
  heif_image_release(image: object): void;
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown; heif_chroma_interleaved_RGBA: unknown };
  _heif_image_handle_get_raw_color_profile_size(handle: number): number;
  _heif_image_handle_get_raw_color_profile(result: number, handle: number, data: number): void;
  _heif_image_handle_get_nclx_color_profile(result: number, handle: number, profile: number): void;
  _heif_nclx_color_profile_free(profile: number): void;
  _heif_image_handle_get_list_of_metadata_block_IDs(handle: number, type: number, ids: number, count: number): number;
  _heif_image_handle_get_metadata_size(handle: number, id: number): number;
  _heif_image_handle_get_metadata(result: number, handle: number, id: number, data: number): void;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
}
type Handle = { $$: { ptr: number } };
type HeifError = { code: { value: number }; message: string };
interface Decoded {
  image: object;
  channels: { width: number; height: number; stride: number; data: Uint8Array }[];
}

/** H.273 colour primaries of Display P3 (SMPTE EG 432-1), as an nclx profile names them. */
const PRIMARIES_P3 = 12;

const libheif = createRequire(import.meta.url)("libheif-js/wasm-bundle") as Libheif;
const { p3Profile } = workerData as HeicWorkerData;

/** libheif's messages may span lines; a reason is one short line. */
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 200);

class DecodeFailure extends Error {}

/** libheif's `heif_error` (whose code is an embind enum value), or what was asked for. */
function failed(result: object): result is HeifError {
  if (!("code" in result)) return false;
  const code = result.code as { value?: number } | number;
  return (typeof code === "number" ? code : code.value) !== 0;
}

/** Runs `use` with `bytes` bytes of the module's memory, freed afterwards. */
function withMemory<T>(bytes: number, use: (pointer: number) => T): T {
  const pointer = libheif._malloc(bytes);
  if (pointer === 0) throw new DecodeFailure("the decoder ran out of memory");
  try {
    return use(pointer);
  } finally {
    libheif._free(pointer);
  }
}

/** The image's ICC profile: its own, or Display P3's for an nclx profile with P3 primaries; none for sRGB. */
function colourProfileOf(handle: Handle): Uint8Array | undefined {
  const pointer = handle.$$.ptr;
  const size = libheif._heif_image_handle_get_raw_color_profile_size(pointer);
  if (size > 0) {
    return withMemory(size, (data) =>
      withMemory(16, (error) => {
        libheif._heif_image_handle_get_raw_color_profile(error, pointer, data);
        return libheif.HEAP32[error >> 2] === 0 ? libheif.HEAPU8.slice(data, data + size) : undefined;
      }),
    );
  }
  const primaries = withMemory(16, (error) =>
    withMemory(4, (out) => {
      libheif._heif_image_handle_get_nclx_color_profile(error, pointer, out);
      const profile = libheif.HEAP32[out >> 2] ?? 0;
      if (libheif.HEAP32[error >> 2] !== 0 || profile === 0) return undefined;
      // struct heif_color_profile_nclx: uint8 version, then enum color_primaries (32 bits) at offset 4.
      const value = libheif.HEAP32[(profile + 4) >> 2];
      libheif._heif_nclx_color_profile_free(profile);
      return value;
    }),
  );
  return primaries === PRIMARIES_P3 ? p3Profile : undefined;
}

/** An EXIF block larger than this is not read (a JPEG's cannot pass 64 KB). */
const MAX_EXIF_BYTES = 256 * 1024;

/**
 * The image's first EXIF block, as libheif gives it (4 bytes of offset to the TIFF header, then the
 * block): only read for the capture date, never passed on to a variant. None if there is none.
 */
function exifOf(handle: Handle): Uint8Array | undefined {
  const pointer = handle.$$.ptr;
  const type = Buffer.from("Exif\0", "latin1");
  return withMemory(type.length, (filter) => {
    libheif.HEAPU8.set(type, filter);
    return withMemory(4, (ids) => {
      const count = libheif._heif_image_handle_get_list_of_metadata_block_IDs(pointer, filter, ids, 1);
      if (count < 1) return undefined;
      const id = libheif.HEAP32[ids >> 2] ?? 0;
      const size = libheif._heif_image_handle_get_metadata_size(pointer, id);
      if (size < 1 || size > MAX_EXIF_BYTES) return undefined;
      return withMemory(size, (data) =>
        withMemory(16, (error) => {
          libheif._heif_image_handle_get_metadata(error, pointer, id, data);
          return libheif.HEAP32[error >> 2] === 0 ? libheif.HEAPU8.slice(data, data + size) : undefined;
        }),
      );
    });
  });
}

async function decode(request: HeicRequest): Promise<HeicReply> {
  let bytes: Uint8Array;
  try {
    bytes = typeof request.input === "string" ? await readFile(request.input) : request.input;
  } catch {
    return { id: request.id, ok: false, reason: "the original is missing" };
  }
  const context = libheif.heif_context_alloc();
  let handle: Handle | undefined;
  try {
    const read = libheif.heif_context_read_from_memory(context, bytes);
    if (failed(read)) throw new DecodeFailure(`the HEIC image could not be read (${oneLine(read.message)})`);
    const primary = libheif.heif_js_context_get_primary_image_handle(context);
    if (failed(primary)) throw new DecodeFailure(`the HEIC image has no primary image (${oneLine(primary.message)})`);
    handle = primary as Handle;
    // The size after the container's transforms, from its header: checked before any pixel is decoded.
    const width = libheif.heif_image_handle_get_width(handle);
    const height = libheif.heif_image_handle_get_height(handle);
    if (width < 1 || height < 1) throw new DecodeFailure("the image has no dimensions");
    if (width * height > request.maxInputPixels) {
      throw new DecodeFailure(
        `the image has ${width}x${height} pixels, more than the ${request.maxInputPixels} allowed`,
      );
    }
    const channels = libheif.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
    const icc = colourProfileOf(handle);
    const decoded = libheif.heif_js_decode_image2(
      handle,
      libheif.heif_colorspace.heif_colorspace_RGB,
      channels === 4
        ? libheif.heif_chroma.heif_chroma_interleaved_RGBA
        : libheif.heif_chroma.heif_chroma_interleaved_RGB,
    );
    if (failed(decoded)) throw new DecodeFailure(`the HEIC image could not be decoded (${oneLine(decoded.message)})`);
    const { image, channels: planes } = decoded as Decoded;
    try {
      const plane = planes[0];
      if (!plane || plane.width !== width || plane.height !== height) {
        throw new DecodeFailure("the HEIC image decoded to an unexpected size");
      }
      const tiff = uncompressedTiff(width, height, channels, icc);
      const rowBytes = width * channels;
      for (let y = 0; y < height; y++) {
        tiff.pixels.set(plane.data.subarray(y * plane.stride, y * plane.stride + rowBytes), y * rowBytes);
      }
      const exif = exifOf(handle);
      return { id: request.id, ok: true, tiff: tiff.file, exif, heapBytes: libheif.HEAPU8.length };
    } finally {
      libheif.heif_image_release(image);
    }
  } catch (error) {
    if (error instanceof DecodeFailure) return { id: request.id, ok: false, reason: error.message };
    const text = error instanceof Error ? error.message : String(error);
    return { id: request.id, ok: false, reason: `the HEIC image could not be decoded (${oneLine(text)})` };
  } finally {
    if (handle) libheif.heif_image_handle_release(handle);
    libheif.heif_context_free(context);
  }
}

const port = parentPort;
if (!port) throw new Error("heic-worker.ts runs in a worker thread");
port.on("message", async (request: HeicRequest) => {
  const reply: HeicReply = await decode(request).catch((error: unknown) => ({
    id: request.id,
    ok: false,
    reason: `the HEIC image could not be decoded (${oneLine(error instanceof Error ? error.message : String(error))})`,
  }));
  port.postMessage(reply, reply.ok ? [reply.tiff.buffer as ArrayBuffer] : []);
});
