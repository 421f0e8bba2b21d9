import { describe, expect, it } from "vitest";
import { DomainError, errorBody, ValidationError } from "./errors.ts";
import {
  EXTERNAL_ID_MAX_LENGTH,
  externalIdProblems,
  type LinkSubject,
  parseExternalId,
  planLink,
  planUnlink,
  planUpload,
} from "./external-id.ts";

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

const LENGTH = "externalId must be 1-255 characters";
const CONTROL = "externalId must not contain control characters";
const SPACES = "externalId must not have leading or trailing spaces";
const STRING = "externalId must be a string";

describe("externalIdProblems", () => {
  it("externalIdProblems: the limit is 255 characters", () => {
    expect(EXTERNAL_ID_MAX_LENGTH).toBe(255);
  });

  it.each([
    ["the seed's example", "apt-001-photo-1"],
    ["a single character", "a"],
    ["Cyrillic", "квартира-1"],
    ["inner spaces", "apt 1 photo 2"],
    ["punctuation and slashes", "crm/apt#1?photo=2&x=%20"],
    ["a 255-character ASCII id", "a".repeat(255)],
    ["255 astral characters (each two UTF-16 units)", "😀".repeat(255)],
    ["254 ASCII + 1 astral character", `${"a".repeat(254)}😀`],
    ["255 Cyrillic characters", "ж".repeat(255)],
  ])("externalIdProblems: %s is valid", (_label, value) => {
    expect(externalIdProblems(value)).toEqual([]);
  });

  it.each([
    ["empty", "", [LENGTH]],
    ["256 ASCII characters", "a".repeat(256), [LENGTH]],
    ["256 astral characters", "😀".repeat(256), [LENGTH]],
    ["a leading space", " apt-1", [SPACES]],
    ["a trailing space", "apt-1 ", [SPACES]],
    ["only a space", " ", [SPACES]],
    ["a leading no-break space", "\u00a0apt-1", [SPACES]],
    ["a tab inside", "apt\t1", [CONTROL]],
    ["a newline inside", "apt\n1", [CONTROL]],
    ["a carriage return inside", "apt\r1", [CONTROL]],
    ["a NUL", "apt\u00001", [CONTROL]],
    ["DEL (U+007F)", "apt\u007f1", [CONTROL]],
    ["NEL (U+0085, C1)", "apt\u00851", [CONTROL]],
    ["U+009F (last C1)", "apt\u009f1", [CONTROL]],
    ["U+001F (last C0)", "apt\u001f1", [CONTROL]],
  ])("externalIdProblems: %s is refused", (_label, value, problems) => {
    expect(externalIdProblems(value)).toEqual(problems);
  });

  it.each([
    ["a number", 123],
    ["null", null],
    ["undefined", undefined],
    ["an object", { id: "apt-1" }],
    ["an array", ["apt-1"]],
    ["a boolean", true],
  ])("externalIdProblems: %s is refused as not a string", (_label, value) => {
    expect(externalIdProblems(value)).toEqual([STRING]);
  });

  it("externalIdProblems: a trailing newline is both a control character and trailing space", () => {
    expect(externalIdProblems("apt-1\n")).toEqual([CONTROL, SPACES]);
  });

  it("externalIdProblems: 256 characters with a tab and a leading space lists all three problems", () => {
    expect(externalIdProblems(` ${"a".repeat(254)}\t`)).toEqual([LENGTH, CONTROL, SPACES]);
  });

  it("externalIdProblems: messages name the field they are given", () => {
    expect(externalIdProblems("", "operations[2].externalId")).toEqual([
      "operations[2].externalId must be 1-255 characters",
    ]);
    expect(externalIdProblems(5, "externalFileId")).toEqual(["externalFileId must be a string"]);
  });
});

describe("parseExternalId", () => {
  it("parseExternalId: a valid id comes back unchanged (case kept)", () => {
    expect(parseExternalId("Apt-001-Photo-1")).toBe("Apt-001-Photo-1");
    expect(parseExternalId("квартира-1")).toBe("квартира-1");
  });

  it("parseExternalId: refuses with a ValidationError listing every problem", () => {
    const error = thrown(() => parseExternalId(`${"x".repeat(256)}\u0000 `));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([LENGTH, CONTROL, SPACES]);
    expect(errorBody(error as ValidationError)).toMatchObject({
      statusCode: 400,
      error: "Bad Request",
      message: [LENGTH, CONTROL, SPACES],
    });
  });

  it("parseExternalId: an empty id answers 400 'externalId must be 1-255 characters'", () => {
    const error = thrown(() => parseExternalId(""));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).problems).toEqual([LENGTH]);
  });

  it("parseExternalId: a number or null is refused, naming the field", () => {
    expect((thrown(() => parseExternalId(42, "externalFileId")) as ValidationError).problems).toEqual([
      "externalFileId must be a string",
    ]);
    expect((thrown(() => parseExternalId(null)) as ValidationError).problems).toEqual([STRING]);
  });
});

const file = (id: number, externalId: string | null): LinkSubject => ({ id, externalId });

describe("planLink", () => {
  it("planLink: a free external ID on a file without one links", () => {
    expect(planLink(file(1, null), "apt-001-photo-1", null)).toEqual({ action: "link" });
  });

  it("planLink: linking the file's own external ID again is idempotent", () => {
    expect(planLink(file(1, "apt-1"), "apt-1", file(1, "apt-1"))).toEqual({ action: "already-linked" });
    expect(planLink(file(1, "apt-1"), "apt-1", null)).toEqual({ action: "already-linked" });
  });

  it("planLink: a file carrying another external ID answers 409 File already has external ID", () => {
    const error = thrown(() => planLink(file(1, "apt-1"), "apt-2", null));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "FILE_ALREADY_HAS_EXTERNAL_ID", status: 409 });
    expect((error as DomainError).message).toBe("File already has external ID");
  });

  it("planLink: a taken external ID answers 409 with the holder's mediaId", () => {
    const error = thrown(() => planLink(file(1, null), "apt-1", file(77, "apt-1")));
    expect(error).toBeInstanceOf(DomainError);
    expect(errorBody(error as DomainError)).toStrictEqual({
      statusCode: 409,
      message: "External ID already linked",
      error: "Conflict",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      mediaId: 77,
    });
  });

  it("planLink: a file with another ID asking for a taken one answers File already has external ID", () => {
    const error = thrown(() => planLink(file(1, "apt-1"), "apt-2", file(2, "apt-2")));
    expect(error).toMatchObject({ code: "FILE_ALREADY_HAS_EXTERNAL_ID" });
  });

  it("planLink: external IDs are case-sensitive ('ABC' and 'abc' are different IDs)", () => {
    expect(planLink(file(1, null), "ABC", null)).toEqual({ action: "link" });
    expect(thrown(() => planLink(file(1, "abc"), "ABC", null))).toMatchObject({
      code: "FILE_ALREADY_HAS_EXTERNAL_ID",
    });
    expect(planLink(file(1, "ABC"), "ABC", null)).toEqual({ action: "already-linked" });
  });
});

describe("planUnlink", () => {
  it("planUnlink: a file carrying an external ID frees it", () => {
    expect(planUnlink(file(1, "apt-1"))).toEqual({ externalId: "apt-1" });
  });

  it("planUnlink: a file with no external ID answers 409 File has no external ID", () => {
    const error = thrown(() => planUnlink(file(1, null)));
    expect(error).toBeInstanceOf(DomainError);
    expect(errorBody(error as DomainError)).toStrictEqual({
      statusCode: 409,
      message: "File has no external ID",
      error: "Conflict",
      code: "FILE_HAS_NO_EXTERNAL_ID",
    });
  });
});

describe("planUpload", () => {
  const sha = "a".repeat(64);
  const otherSha = "b".repeat(64);

  it("planUpload: an upload whose external ID is free creates a file", () => {
    expect(planUpload(sha, null)).toEqual({ action: "create" });
  });

  it("planUpload: a byte-identical retry (same SHA-256) reuses the holder", () => {
    expect(planUpload(sha, { id: 9, sha256: sha })).toEqual({ action: "reuse", mediaId: 9 });
  });

  it("planUpload: other bytes under a taken external ID answer 409 with the holder's mediaId", () => {
    const error = thrown(() => planUpload(otherSha, { id: 9, sha256: sha }));
    expect(error).toBeInstanceOf(DomainError);
    expect(errorBody(error as DomainError)).toStrictEqual({
      statusCode: 409,
      message: "External ID already linked",
      error: "Conflict",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      mediaId: 9,
    });
  });
});
