import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { decodeCursor, encodeCursor, MAX_ID, PAGE_SIZE, pageOf, parseId, parseLimit } from "./input.ts";

/** The problems of the ValidationError `fn` throws (fails the test when it throws anything else). */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems;
  }
  throw new Error("expected a ValidationError");
}

describe("parseId", () => {
  it("parseId: the largest id is the Postgres integer maximum", () => {
    expect(MAX_ID).toBe(2_147_483_647);
  });

  it.each([
    ["1", 1],
    ["42", 42],
    ["2147483647", 2_147_483_647],
    [1, 1],
    [2_147_483_647, 2_147_483_647],
  ])("parseId: %j is the id %d", (value, id) => {
    expect(parseId(value)).toBe(id);
  });

  it.each([
    "0",
    "-1",
    "01",
    "1.5",
    "abc",
    "2147483648",
    "9999999999",
    "99999999999999999999",
    "",
    " 1",
    "1 ",
    "1\n",
    "1e3",
    "0x10",
    "+1",
    "../1",
    "1/../2",
    "１",
  ])("parseId: the string %j is refused with 400", (value) => {
    expect(problems(() => parseId(value))).toEqual(["id must be a positive integer"]);
  });

  it.each([0, -1, 1.5, 2_147_483_648, Number.NaN, Number.POSITIVE_INFINITY, 1e21, null, undefined, true, {}, [1]])(
    "parseId: the value %j is refused",
    (value) => {
      expect(problems(() => parseId(value))).toEqual(["id must be a positive integer"]);
    },
  );

  it("parseId: the message names the field", () => {
    expect(problems(() => parseId("x", "mediaId"))).toEqual(["mediaId must be a positive integer"]);
  });
});

describe("parseLimit", () => {
  it("parseLimit: page size is 20 by default, 1 to 100", () => {
    expect(PAGE_SIZE).toEqual({ default: 20, min: 1, max: 100 });
  });

  it("parseLimit: a missing or empty limit is 20", () => {
    expect(parseLimit(undefined)).toBe(20);
    expect(parseLimit("")).toBe(20);
  });

  it.each([
    ["1", 1],
    ["20", 20],
    ["50", 50],
    ["100", 100],
    [7, 7],
  ])("parseLimit: %j is %d", (value, limit) => {
    expect(parseLimit(value)).toBe(limit);
  });

  it.each(["0", "101", "1000", "99999", "abc", "-5", "1.5", " 5", "1e2", 0, 101, -5, 2.5, null])(
    "parseLimit: %j is refused with 'limit must be an integer from 1 to 100'",
    (value) => {
      expect(problems(() => parseLimit(value))).toEqual(["limit must be an integer from 1 to 100"]);
    },
  );
});

describe("cursors", () => {
  it.each([1, 20, 123_456, MAX_ID])("encodeCursor/decodeCursor: %d round-trips", (id) => {
    expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it("encodeCursor: a cursor is opaque and URL-safe (base64url, no padding)", () => {
    const cursor = encodeCursor(MAX_ID);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(String(MAX_ID));
  });

  it("decodeCursor: no cursor (undefined or empty) is the first page", () => {
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor("")).toBeUndefined();
  });

  const b64 = (text: string) => Buffer.from(text).toString("base64url");

  it.each([
    ["garbage", "garbage"],
    ["not base64 at all", "!!!***"],
    ["base64 of non-JSON", b64("hello")],
    ["JSON null", b64("null")],
    ["a JSON array", b64("[]")],
    ["no before", b64('{"after":5}')],
    ["before zero", b64('{"before":0}')],
    ["before negative", b64('{"before":-3}')],
    ["before fractional", b64('{"before":1.5}')],
    ["before above the Postgres maximum", b64('{"before":2147483648}')],
    ["before a string that is not an id", b64('{"before":"../1"}')],
    ["a 101-character cursor", "A".repeat(101)],
    ["a number", 5],
    ["null", null],
    ["an array", ["x"]],
  ])("decodeCursor: %s answers 400 'cursor is invalid'", (_label, cursor) => {
    expect(problems(() => decodeCursor(cursor))).toEqual(["cursor is invalid"]);
  });
});

describe("pageOf", () => {
  const rows = [{ id: 9 }, { id: 7 }, { id: 4 }];
  it("rows past the limit: the first `limit` rows, and a cursor after the last of them", () => {
    const { page, nextCursor } = pageOf(rows, 2);
    expect(page).toEqual([{ id: 9 }, { id: 7 }]);
    expect(decodeCursor(nextCursor)).toBe(7);
  });
  it("no more rows than the limit: all of them, and no next page", () => {
    expect(pageOf(rows, 3)).toEqual({ page: rows, nextCursor: null });
    expect(pageOf([], 20)).toEqual({ page: [], nextCursor: null });
  });
});
