import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import {
  assertDirectUploadStored,
  DIRECT_UPLOAD_TTL_SECONDS,
  directUploadExpiry,
  isDirectUploadExpired,
  parseDirectUpload,
} from "./uploads.ts";

describe("parseDirectUpload", () => {
  it("accepts an image type and a positive size", () => {
    expect(parseDirectUpload({ contentType: "image/webp", size: 1234 })).toEqual({
      contentType: "image/webp",
      size: 1234,
      fileName: null,
    });
  });

  it("keeps a declared file name, sanitized; refuses one that is no string", () => {
    expect(parseDirectUpload({ contentType: "image/heic", size: 9, fileName: "DCIM\\IMG_0001.HEIC" }).fileName).toBe(
      "IMG_0001.HEIC",
    );
    expect(() => parseDirectUpload({ contentType: "image/heic", size: 9, fileName: 7 })).toThrow(ValidationError);
    expect(() => parseDirectUpload({ contentType: "image/heic", size: 9, fileName: "x".repeat(5000) })).toThrow(
      ValidationError,
    );
  });

  it.each(["text/html", "constructor", "toString", "__proto__", "hasOwnProperty", ""])(
    "refuses %j as a content type",
    (contentType) => {
      expect(() => parseDirectUpload({ contentType, size: 10 })).toThrow(ValidationError);
    },
  );

  it("refuses sizes that are not positive integers", () => {
    for (const size of [0, -1, 1.5, "10", Number.NaN, null]) {
      expect(() => parseDirectUpload({ contentType: "image/jpeg", size })).toThrow(ValidationError);
    }
  });
});

describe("a direct upload's validity", () => {
  const now = new Date("2026-01-01T12:00:00Z");

  it("directUploadExpiry: valid for DIRECT_UPLOAD_TTL_SECONDS from its announcement", () => {
    expect(directUploadExpiry(now).getTime() - now.getTime()).toBe(DIRECT_UPLOAD_TTL_SECONDS * 1000);
  });

  it("isDirectUploadExpired: completable until just before its expiry, not at it or after", () => {
    const expiresAt = directUploadExpiry(now);
    expect(isDirectUploadExpired(expiresAt, now)).toBe(false);
    expect(isDirectUploadExpired(expiresAt, new Date(expiresAt.getTime() - 1))).toBe(false);
    expect(isDirectUploadExpired(expiresAt, expiresAt)).toBe(true);
    expect(isDirectUploadExpired(expiresAt, new Date(expiresAt.getTime() + 1))).toBe(true);
  });

  it("assertDirectUploadStored: an object not stored yet, or of another size than declared, is refused", () => {
    const problems = (stored: { size: number } | null | undefined) => {
      try {
        assertDirectUploadStored(stored, 10);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).problems;
      }
    };
    expect(problems(null)).toEqual(["the file has not been uploaded to uploadUrl yet"]);
    expect(problems(undefined)).toEqual(["the file has not been uploaded to uploadUrl yet"]);
    expect(problems({ size: 11 })).toEqual(["the uploaded file has 11 bytes, not the 10 declared"]);
    expect(problems({ size: 10 })).toEqual([]);
  });
});
