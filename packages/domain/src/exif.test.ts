import { describe, expect, it } from "vitest";
import { capturedAtFromExif, capturedAtOf } from "./exif.ts";

const NOW = new Date("2026-12-04T12:00:00Z");

/**
 * An EXIF block (a TIFF structure) whose IFD0 points to an Exif IFD holding `tags` as ASCII
 * values, in the given byte order; `prefix` goes before it as a container puts it.
 */
function exifBlock(tags: Record<number, string>, order: "II" | "MM" = "II", prefix = new Uint8Array()): Uint8Array {
  const little = order === "II";
  const entries = Object.entries(tags).map(([tag, value]) => [Number(tag), `${value}\0`] as const);
  const exifIfdAt = 8 + 2 + 12 + 4; // after the header and IFD0 (one entry)
  let dataAt = exifIfdAt + 2 + entries.length * 12 + 4;
  const size = dataAt + entries.reduce((sum, [, value]) => sum + value.length, 0);
  const view = new DataView(new ArrayBuffer(size));
  const bytes = new Uint8Array(view.buffer);
  bytes.set([order.charCodeAt(0), order.charCodeAt(1)], 0);
  view.setUint16(2, 42, little);
  view.setUint32(4, 8, little);
  view.setUint16(8, 1, little);
  view.setUint16(10, 0x8769, little);
  view.setUint16(12, 4, little); // LONG
  view.setUint32(14, 1, little);
  view.setUint32(18, exifIfdAt, little);
  view.setUint16(exifIfdAt, entries.length, little);
  entries.forEach(([tag, value], i) => {
    const at = exifIfdAt + 2 + i * 12;
    view.setUint16(at, tag, little);
    view.setUint16(at + 2, 2, little); // ASCII
    view.setUint32(at + 4, value.length, little);
    view.setUint32(at + 8, dataAt, little);
    bytes.set(Buffer.from(value, "latin1"), dataAt);
    dataAt += value.length;
  });
  return new Uint8Array([...prefix, ...bytes]);
}

const taken = { 36867: "2024:06:01 14:22:03", 36881: "+02:00" };

describe("capturedAtFromExif", () => {
  it("reads DateTimeOriginal with OffsetTimeOriginal, in either byte order", () => {
    expect(capturedAtFromExif(exifBlock(taken, "II"), NOW)).toBe("2024-06-01T14:22:03+02:00");
    expect(capturedAtFromExif(exifBlock(taken, "MM"), NOW)).toBe("2024-06-01T14:22:03+02:00");
  });

  it("gives a local time when there is no offset", () => {
    expect(capturedAtFromExif(exifBlock({ 36867: "2019:12:31 23:59:59" }), NOW)).toBe("2019-12-31T23:59:59");
  });

  it("reads a block behind JPEG's Exif header or HEIF's offset", () => {
    const exifHeader = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0]);
    expect(capturedAtFromExif(exifBlock(taken, "MM", exifHeader), NOW)).toBe("2024-06-01T14:22:03+02:00");
    const heif = new Uint8Array([0, 0, 0, 6, ...exifHeader]);
    expect(capturedAtFromExif(exifBlock(taken, "II", heif), NOW)).toBe("2024-06-01T14:22:03+02:00");
    expect(capturedAtFromExif(exifBlock(taken, "II", new Uint8Array(4)), NOW)).toBe("2024-06-01T14:22:03+02:00");
  });

  it("is null without the tag, or for what is no EXIF block", () => {
    expect(capturedAtFromExif(exifBlock({ 36881: "+02:00" }), NOW)).toBeNull();
    expect(capturedAtFromExif(undefined, NOW)).toBeNull();
    expect(capturedAtFromExif(new Uint8Array([1, 2, 3]), NOW)).toBeNull();
    expect(capturedAtFromExif(new Uint8Array(64).fill(0xff), NOW)).toBeNull();
  });

  it("survives a block cut short anywhere", () => {
    const block = exifBlock(taken, "MM");
    for (let length = 0; length < block.length; length++) {
      const answer = capturedAtFromExif(block.subarray(0, length), NOW);
      expect([null, "2024-06-01T14:22:03", "2024-06-01T14:22:03+02:00"]).toContain(answer);
    }
  });
});

describe("capturedAtOf", () => {
  it("refuses what is no real date", () => {
    for (const value of ["0000:00:00 00:00:00", "    :  :     :  :  ", "2024:02:30 10:00:00", "2024:13:01 10:00:00"]) {
      expect(capturedAtOf(value, undefined, NOW)).toBeNull();
    }
    expect(capturedAtOf("2024:06:01 24:00:00", undefined, NOW)).toBeNull();
    expect(capturedAtOf(undefined, "+02:00", NOW)).toBeNull();
  });

  it("refuses a year before photography and a time well after now", () => {
    expect(capturedAtOf("1700:01:01 00:00:00", undefined, NOW)).toBeNull();
    expect(capturedAtOf("2030:01:01 00:00:00", undefined, NOW)).toBeNull();
    expect(capturedAtOf("2026:12:05 10:00:00", "+00:00", NOW)).toBe("2026-12-05T10:00:00+00:00");
  });

  it("leaves out an offset that is no offset", () => {
    expect(capturedAtOf("2024:06:01 14:22:03", "+25:00", NOW)).toBe("2024-06-01T14:22:03");
    expect(capturedAtOf("2024:06:01 14:22:03", "CEST", NOW)).toBe("2024-06-01T14:22:03");
    expect(capturedAtOf("2024:06:01 14:22:03", "-05:30", NOW)).toBe("2024-06-01T14:22:03-05:30");
  });
});
