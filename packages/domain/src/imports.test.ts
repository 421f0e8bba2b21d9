import { describe, expect, it } from "vitest";
import { importPlaceholder, isDownloaded } from "./imports.ts";

describe("an imported file before its download", () => {
  it("importPlaceholder: size 0, application/octet-stream, no SHA-256, its original under its prefix", () => {
    expect(importPlaceholder("m/abc")).toEqual({
      size: 0,
      contentType: "application/octet-stream",
      sha256: "",
      originalKey: "m/abc/original",
    });
  });

  it("isDownloaded: a placeholder is not downloaded; a file with a SHA-256 is", () => {
    expect(isDownloaded(importPlaceholder("m/abc"))).toBe(false);
    expect(isDownloaded({ sha256: "a".repeat(64) })).toBe(true);
  });
});
