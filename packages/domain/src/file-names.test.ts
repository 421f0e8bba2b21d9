import { describe, expect, it } from "vitest";
import { fileNameFromUrl, MAX_FILE_NAME_LENGTH, sanitizeFileName } from "./file-names.ts";

describe("sanitizeFileName", () => {
  it("keeps an ordinary name", () => {
    expect(sanitizeFileName("IMG_0001.HEIC")).toBe("IMG_0001.HEIC");
    expect(sanitizeFileName("façade côté rue.jpg")).toBe("façade côté rue.jpg");
  });

  it("keeps the last path segment only", () => {
    expect(sanitizeFileName("C:\\Users\\agent\\Pictures\\IMG_0001.HEIC")).toBe("IMG_0001.HEIC");
    expect(sanitizeFileName("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFileName("photos/")).toBeNull();
  });

  it("composes to NFC", () => {
    const decomposed = "cafe\u0301.jpg";
    expect(sanitizeFileName(decomposed)).toBe("caf\u00e9.jpg");
  });

  it("drops control characters and text-reordering marks, and trims", () => {
    expect(sanitizeFileName("  a\u0000b\nc\u007f.png\t ")).toBe("abc.png");
    expect(sanitizeFileName("invoice\u202egpj.exe")).toBe("invoicegpj.exe");
  });

  it("answers null for nothing, dots or a non-string", () => {
    for (const declared of ["", "   ", "\u0000", ".", "..", undefined, null, 42, {}]) {
      expect(sanitizeFileName(declared)).toBeNull();
    }
  });

  it("shortens a long name to 255 characters, keeping its extension", () => {
    const name = sanitizeFileName(`${"a".repeat(300)}.heic`);
    expect(name).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(name?.endsWith("a.heic")).toBe(true);
    expect(sanitizeFileName("b".repeat(400))).toBe("b".repeat(255));
  });

  it("never splits a character made of two UTF-16 units", () => {
    const name = sanitizeFileName("📷".repeat(300)) ?? "";
    expect(Array.from(name)).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(name.isWellFormed()).toBe(true);
  });
});

describe("fileNameFromUrl", () => {
  it("is the path's last segment, percent-decoded", () => {
    expect(fileNameFromUrl("https://photos.example/listing/12/IMG%200001.HEIC?w=1#x")).toBe("IMG 0001.HEIC");
  });

  it("is null when the path names no file", () => {
    expect(fileNameFromUrl("https://photos.example/")).toBeNull();
    expect(fileNameFromUrl("https://photos.example/album/")).toBeNull();
    expect(fileNameFromUrl("not a url")).toBeNull();
  });

  it("never lets an encoded separator through", () => {
    expect(fileNameFromUrl("https://photos.example/a%2F..%2Fb.jpg")).toBe("b.jpg");
    expect(fileNameFromUrl("https://photos.example/a%5Cb.jpg")).toBe("b.jpg");
  });

  it("keeps a malformed escape as it is", () => {
    expect(fileNameFromUrl("https://photos.example/100%.jpg")).toBe("100%.jpg");
  });
});
