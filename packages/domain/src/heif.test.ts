import { describe, expect, it } from "vitest";
import { ftypBrands, heifContentType, isHeifSequence } from "./heif.ts";

/** The first bytes of an ISO-BMFF file: its `ftyp` box with these brands, then a `meta` box header. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  const box = Buffer.alloc(size + 8);
  box.writeUInt32BE(size, 0);
  box.write(`ftyp${major}`, 4, "latin1");
  compatible.forEach((brand, i) => {
    box.write(brand, 16 + 4 * i, "latin1");
  });
  box.writeUInt32BE(100, size);
  box.write("meta", size + 4, "latin1");
  return box;
}

describe("heifContentType", () => {
  it.each([
    [["heic", "mif1", "heic"], "image/heic"],
    [["heix", "mif1", "heix"], "image/heic"],
    [["hevc", "msf1", "hevc"], "image/heic"],
    [["heim", "mif1"], "image/heic"],
    [["heis", "mif1"], "image/heic"],
    [["mif1", "mif1", "heic"], "image/heic"],
    [["msf1", "msf1", "hevc"], "image/heic"],
    [["mif1", "mif1"], "image/heif"],
    [["msf1", "msf1", "iso8"], "image/heif"],
    [["mif1", "mif1", "miaf", "MiHE"], "image/heif"],
    [["avif", "mif1", "avif"], "image/avif"],
    [["mif1", "mif1", "avif", "miaf"], "image/avif"],
    [["avis", "msf1", "avis"], "image/avif"],
  ])("brands %j are %s", ([major, ...compatible], type) => {
    expect(heifContentType(ftyp(major as string, ...compatible))).toBe(type);
  });

  it("is null for an ISO-BMFF file of no HEIF brand, and for other bytes", () => {
    expect(heifContentType(ftyp("isom", "isom", "mp41"))).toBeNull();
    expect(heifContentType(ftyp("qt  "))).toBeNull();
    expect(heifContentType(Buffer.from("\xff\xd8\xff\xe0 not an ftyp box", "latin1"))).toBeNull();
    expect(heifContentType(new Uint8Array(8))).toBeNull();
  });

  it("reads only the brands within the box and the bytes given", () => {
    const head = ftyp("mif1", "mif1", "heic");
    expect(heifContentType(head.subarray(0, 20))).toBe("image/heif"); // heic not reached
    expect(ftypBrands(head)).toEqual({ major: "mif1", compatible: ["mif1", "heic"] });
    const lying = Buffer.from(head);
    lying.writeUInt32BE(8, 0); // a box shorter than its own header
    expect(ftypBrands(lying)).toBeNull();
  });
});

describe("isHeifSequence", () => {
  it("is true for the brands of image sequences only", () => {
    expect(isHeifSequence(ftyp("msf1", "msf1", "hevc"))).toBe(true);
    expect(isHeifSequence(ftyp("heic", "mif1", "heic", "hevc"))).toBe(true);
    expect(isHeifSequence(ftyp("heic", "mif1", "heic"))).toBe(false);
    expect(isHeifSequence(new Uint8Array(4))).toBe(false);
  });
});
