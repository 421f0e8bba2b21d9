import { describe, expect, it } from "vitest";
import { assertValidKey, InvalidKeyError } from "../src/storage.ts";
import { INVALID_KEYS } from "./contract.ts";

describe("assertValidKey", () => {
  it.each(["a", "a.jpg", "album_1/2024-05/IMG-0001.JPG", "a/b/c/d", "..a", "a..", ".hidden/x", "x".repeat(512)])(
    "accepts %s",
    (key) => {
      expect(() => assertValidKey(key)).not.toThrow();
    },
  );

  it.each([...INVALID_KEYS, "a\\b", "a?b", "a%2Fb", "a/b\n", "./a", "a/.."])("refuses %j", (key) => {
    expect(() => assertValidKey(key)).toThrow(InvalidKeyError);
  });
});
