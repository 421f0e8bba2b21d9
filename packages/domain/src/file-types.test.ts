import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ACCEPTED_IMAGE_TYPES, extensionFor, SNIFF_BYTES, sniffImageType } from "./file-types.ts";

const photos = new URL("../../../test/fixtures/photos/", import.meta.url);

/** Concatenates strings (as Latin-1 bytes) and byte arrays. */
function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  return Buffer.concat(
    parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))),
  );
}
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

// Hand-built headers, each the first bytes of a real file of its format.
const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], "JFIF\0", [1, 1, 0, 0, 1, 0, 1, 0, 0]);
const png = bytes(
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  u32be(13),
  "IHDR",
  u32be(1),
  u32be(1),
  [8, 2, 0, 0, 0],
  u32be(0x907753de),
);
const gif = bytes("GIF89a", [1, 0, 1, 0, 0, 0, 0]);
const webp = bytes("RIFF", u32le(30), "WEBPVP8 ", u32le(18), new Uint8Array(18));
const tiffLittleEndian = bytes("II*\0", u32le(8), new Uint8Array(20));
const tiffBigEndian = bytes("MM\0*", u32be(8), new Uint8Array(20));
const avif = bytes(u32be(28), "ftypavif", u32be(0), "avifmif1miaf");
const heic = bytes(u32be(24), "ftypheic", u32be(0), "mif1heic");
const heif = bytes(u32be(24), "ftypmif1", u32be(0), "mif1miaf");
const heicInHeif = bytes(u32be(24), "ftypmif1", u32be(0), "mif1heic");
const heicSequence = bytes(u32be(24), "ftypmsf1", u32be(0), "msf1hevc");

/**
 * A complete, valid 8-bit greyscale TIFF laid out the way libtiff writes it (libvips/sharp, ImageMagick):
 * header, then the pixel strip, then the first IFD at the end of the file.
 */
function tiffWithTrailingIfd(width: number, height: number): Uint8Array {
  const pixels = Buffer.alloc(width * height, 0x80);
  // [tag, type (3 = SHORT, 4 = LONG), value]
  const tags: [number, number, number][] = [
    [256, 3, width], // ImageWidth
    [257, 3, height], // ImageLength
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 1], // PhotometricInterpretation: BlackIsZero
    [273, 4, 8], // StripOffsets: right after the header
    [277, 3, 1], // SamplesPerPixel
    [278, 3, height], // RowsPerStrip
    [279, 4, pixels.length], // StripByteCounts
  ];
  const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
  ifd.writeUInt16LE(tags.length, 0);
  tags.forEach(([tag, type, value], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(1, at + 4);
    if (type === 3) ifd.writeUInt16LE(value, at + 8);
    else ifd.writeUInt32LE(value, at + 8);
  });
  return bytes("II*\0", u32le(8 + pixels.length), pixels, ifd);
}

describe("sniffImageType", () => {
  it.each([
    ["a JPEG (FF D8 FF E0 + JFIF)", jpeg, "image/jpeg"],
    ["a PNG (signature + IHDR)", png, "image/png"],
    ["a GIF89a", gif, "image/gif"],
    ["a WebP (RIFF....WEBPVP8 )", webp, "image/webp"],
    ["a little-endian TIFF (II*\\0)", tiffLittleEndian, "image/tiff"],
    ["a big-endian TIFF (MM\\0*)", tiffBigEndian, "image/tiff"],
    ["an AVIF (ftyp avif)", avif, "image/avif"],
    ["a HEIC (ftyp heic)", heic, "image/heic"],
    ["a HEIF (ftyp mif1)", heif, "image/heif"],
    ["a HEIF with a HEVC brand (ftyp mif1, compatible heic)", heicInHeif, "image/heic"],
    ["a HEVC image sequence (ftyp msf1, compatible hevc)", heicSequence, "image/heic"],
  ])("sniffImageType: %s is accepted as %s", async (_label, head, type) => {
    expect(await sniffImageType(head)).toBe(type);
  });

  it.each([
    ["Picture_1A_by_freespace.jpg", "image/jpeg"],
    ["friends_by_Aitzol_Berasategi.jpg", "image/jpeg"],
    ["goldfish.png", "image/png"],
  ])("sniffImageType: the first SNIFF_BYTES of the real photo %s are %s", async (name, type) => {
    const photo = await readFile(new URL(name, photos));
    expect(await sniffImageType(photo.subarray(0, SNIFF_BYTES))).toBe(type);
  });

  it("sniffImageType: the first 64 bytes of a real JPEG are enough", async () => {
    const photo = await readFile(new URL("Picture_1A_by_freespace.jpg", photos));
    expect(await sniffImageType(new Uint8Array(photo.subarray(0, 64)))).toBe("image/jpeg");
  });

  it("sniffImageType: a whole TIFF whose IFD follows the pixel data is image/tiff", async () => {
    expect(await sniffImageType(tiffWithTrailingIfd(80, 80))).toBe("image/tiff");
  });

  // The gateway sniffs only the first SNIFF_BYTES of an upload (apps/gateway/src/services/spool.ts). libtiff
  // writes the first IFD after the pixel data, so for any TIFF over ~4 KB it lies beyond the head.
  it("sniffImageType: the first SNIFF_BYTES of a TIFF whose IFD lies beyond them are still image/tiff", async () => {
    const tiff = tiffWithTrailingIfd(80, 80);
    expect(tiff.length).toBeGreaterThan(SNIFF_BYTES);
    expect(await sniffImageType(tiff.subarray(0, SNIFF_BYTES))).toBe("image/tiff");
  });

  it.each([
    ["an HTML page", bytes("<!doctype html><html><body><img src=x onerror=alert(1)></body></html>")],
    ["a PDF (%PDF-1.7)", bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")],
    ["an SVG with a script", bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    [
      "an SVG with an XML declaration",
      bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'),
    ],
    ["a BMP (an image format we do not accept)", bytes("BM", new Uint8Array(60))],
    ["a ZIP", bytes("PK\x03\x04", new Uint8Array(40))],
    ["plain text", bytes("just some text, not an image at all\n")],
    ["random bytes", Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) & 0xff)],
    ["zeroes", new Uint8Array(SNIFF_BYTES)],
    ["an empty buffer", new Uint8Array(0)],
    ["a JPEG signature cut after two bytes", bytes([0xff, 0xd8])],
  ])("sniffImageType: %s is refused (null)", async (_label, head) => {
    expect(await sniffImageType(head)).toBeNull();
  });
});

describe("extensionFor", () => {
  it.each([
    ["image/jpeg", "jpg"],
    ["image/png", "png"],
    ["image/webp", "webp"],
    ["image/gif", "gif"],
    ["image/avif", "avif"],
    ["image/tiff", "tiff"],
    ["image/heic", "heic"],
    ["image/heif", "heif"],
  ] as const)("extensionFor: %s is stored as .%s", (type, extension) => {
    expect(extensionFor(type)).toBe(extension);
  });

  it("extensionFor: every accepted type has an extension", () => {
    for (const type of Object.keys(ACCEPTED_IMAGE_TYPES) as (keyof typeof ACCEPTED_IMAGE_TYPES)[]) {
      expect(extensionFor(type)).toMatch(/^[a-z]+$/);
    }
  });
});
