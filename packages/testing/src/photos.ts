import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";

/** The repository's test photos (test/fixtures/photos, credited in ATTRIBUTION.md there). */
export const photosDir = fileURLToPath(new URL("../../../test/fixtures/photos/", import.meta.url));

export const PHOTOS = {
  /** 1365×1074 JPEG, landscape. */
  landscape: "Picture_1A_by_freespace.jpg",
  /** 2056×3088 JPEG, portrait. */
  portrait: "friends_by_Aitzol_Berasategi.jpg",
  /** 3640×2400 PNG with an alpha channel. */
  alpha: "goldfish.png",
  /** 4272×2848 JPEG, landscape. */
  large: "sunset_by_Aitzol_Berasategi.jpg",
} as const;

export function photo(name: string): Promise<Buffer> {
  return readFile(path.join(photosDir, name));
}

/** HEIC and colour test files (test/fixtures/heic, credited in ATTRIBUTION.md there). */
export const heicFixturesDir = fileURLToPath(new URL("../../../test/fixtures/heic/", import.meta.url));

export function heicFixture(name: string): Promise<Buffer> {
  return readFile(path.join(heicFixturesDir, name));
}

/** Mean R, G, B (0–255) of an 8-bit image. */
export async function meanColour(image: Buffer): Promise<[number, number, number]> {
  const { channels } = await sharp(image).stats();
  return [channels[0]?.mean ?? Number.NaN, channels[1]?.mean ?? Number.NaN, channels[2]?.mean ?? Number.NaN];
}

/** The largest difference, over R, G and B, between two colours. */
export function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.max(...[0, 1, 2].map((i) => Math.abs((a[i] ?? Number.NaN) - (b[i] ?? Number.NaN))));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid 1-bit greyscale PNG of side×side black pixels: about 100 KB on disk for 30000×30000, but
 * 900 million pixels (seconds of CPU and gigabytes of memory) once decoded.
 */
export function pixelBomb(side: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((1 + Math.ceil(side / 8)) * side); // filter byte 0 + zero bits, per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(rows, { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
