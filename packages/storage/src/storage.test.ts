import { describe, expect, it } from "vitest";
import { INVALID_KEYS } from "../test/contract.ts";
import { assertValidKey, InvalidKeyError } from "./storage.ts";

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
