import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { parseDirectUpload } from "./uploads.ts";

describe("parseDirectUpload", () => {
  it("accepts an image type and a positive size", () => {
    expect(parseDirectUpload({ contentType: "image/webp", size: 1234 })).toEqual({
      contentType: "image/webp",
      size: 1234,
    });
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
