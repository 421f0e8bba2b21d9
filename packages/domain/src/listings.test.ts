import { describe, expect, it } from "vitest";
import { DomainError, errorBody, ValidationError } from "./errors.ts";
import { planLink, planUnlink } from "./external-id.ts";
import {
  afterFileRemoved,
  assertDistinctFiles,
  isListingStatus,
  isOpenPublishJob,
  isPublication,
  LISTING_LINK_ERRORS,
  LISTING_STATUSES,
  MAX_LISTING_FILES,
  MIN_FILES_TO_PUBLISH,
  PUBLISH_CANCELLED_BY_DELETE,
  type PublicationFile,
  parseListingInput,
  planPublication,
  publicationOutcome,
  publicationStep,
  publicationTaskStep,
  publishJobEnd,
  publishListingJobKey,
  toRestListing,
} from "./listings.ts";
import type { OptimizationStatus } from "./optimization.ts";

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

/** The problems of the ValidationError `fn` throws. */
function problems(fn: () => unknown): string[] {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems;
}

const ids = (...list: number[]) => list.map((id) => ({ id }));

describe("listing constants", () => {
  it("listings: four statuses, at most 20 files, at least 3 to publish", () => {
    expect(LISTING_STATUSES).toEqual(["draft", "active", "pending_active", "publish_failed"]);
    expect(MAX_LISTING_FILES).toBe(20);
    expect(MIN_FILES_TO_PUBLISH).toBe(3);
    expect(isListingStatus("pending_active")).toBe(true);
    expect(isListingStatus("published")).toBe(false);
  });
});

describe("parseListingInput", () => {
  it("parseListingInput: only an external ID gives an untitled draft without files", () => {
    expect(parseListingInput({ externalId: "apt-1" })).toEqual({
      externalId: "apt-1",
      title: "",
      status: "draft",
      files: [],
    });
  });

  it("parseListingInput: the three kinds of file entries keep their order", () => {
    const input = parseListingInput({
      externalId: "apt-1",
      title: "Flat with a view",
      status: "active",
      files: [{ externalFileId: "p-2" }, { id: 7 }, { url: "https://crm.example/p/3.jpg", externalFileId: "p-3" }],
    });
    expect(input).toEqual({
      externalId: "apt-1",
      title: "Flat with a view",
      status: "active",
      files: [{ externalFileId: "p-2" }, { id: 7 }, { url: "https://crm.example/p/3.jpg", externalFileId: "p-3" }],
    });
  });

  it("parseListingInput: a numeric id given as a string is accepted, as in paths", () => {
    expect(parseListingInput({ externalId: "a", files: [{ id: "12" }] }).files).toEqual([{ id: 12 }]);
  });

  it("parseListingInput: 20 files are accepted, 21 answer 400", () => {
    expect(
      parseListingInput({ externalId: "a", files: ids(...Array.from({ length: 20 }, (_, i) => i + 1)) }).files,
    ).toHaveLength(20);
    expect(
      problems(() =>
        parseListingInput({ externalId: "a", files: ids(...Array.from({ length: 21 }, (_, i) => i + 1)) }),
      ),
    ).toEqual(["files must hold at most 20 items"]);
  });

  it("parseListingInput: an active listing with fewer than 3 files answers 400", () => {
    expect(problems(() => parseListingInput({ externalId: "a", status: "active", files: ids(1, 2) }))).toEqual([
      "an active listing needs at least 3 files",
    ]);
    expect(problems(() => parseListingInput({ externalId: "a", status: "active" }))).toEqual([
      "an active listing needs at least 3 files",
    ]);
    expect(parseListingInput({ externalId: "a", status: "draft", files: ids(1) }).status).toBe("draft");
  });

  it("parseListingInput: a file given twice answers 400 naming both places", () => {
    expect(problems(() => parseListingInput({ externalId: "a", files: ids(1, 2, 1) }))).toEqual([
      "files[2] is the same file as files[0]",
    ]);
    expect(
      problems(() =>
        parseListingInput({
          externalId: "a",
          files: [{ externalFileId: "p-1" }, { url: "https://crm.example/1.jpg", externalFileId: "p-1" }],
        }),
      ),
    ).toEqual(["files[1] is the same file as files[0]"]);
  });

  it("parseListingInput: external IDs of files are case-sensitive, so 'P-1' and 'p-1' are two files", () => {
    expect(
      parseListingInput({ externalId: "a", files: [{ externalFileId: "P-1" }, { externalFileId: "p-1" }] }).files,
    ).toHaveLength(2);
  });

  it.each([
    ["not an object", "x", ["body must be a JSON object"]],
    ["an array", [], ["body must be a JSON object"]],
    ["no external ID", {}, ["externalId must be a string"]],
    ["an external ID with spaces", { externalId: " a " }, ["externalId must not have leading or trailing spaces"]],
    ["a title that is not a string", { externalId: "a", title: 5 }, ["title must be a string"]],
    ["a 501-character title", { externalId: "a", title: "t".repeat(501) }, ["title must be at most 500 characters"]],
    ["a title with a NUL", { externalId: "a", title: "a\u0000b" }, ["title must not contain control characters"]],
    ["a title with a lone surrogate", { externalId: "a", title: "a\ud800" }, ["title must be valid Unicode text"]],
    ["an unknown status", { externalId: "a", status: "published" }, ["status must be one of draft, active"]],
    [
      "a status the rule decides",
      { externalId: "a", status: "pending_active" },
      ["status must be one of draft, active"],
    ],
    ["files not an array", { externalId: "a", files: { id: 1 } }, ["files must be an array"]],
    ["a file that is not an object", { externalId: "a", files: [1] }, ["files[0] must be an object"]],
    ["an empty file entry", { externalId: "a", files: [{}] }, ["files[0] must have id or externalFileId"]],
    ["a bad id", { externalId: "a", files: [{ id: 0 }] }, ["files[0].id must be a positive integer"]],
    [
      "an id and an external ID",
      { externalId: "a", files: [{ id: 1, externalFileId: "p" }] },
      ["files[0] must give either id or externalFileId, not both"],
    ],
    [
      "a bad external file ID",
      { externalId: "a", files: [{ externalFileId: "" }] },
      ["files[0].externalFileId must be 1-255 characters"],
    ],
    [
      "a URL without external file ID",
      { externalId: "a", files: [{ url: "https://crm.example/1.jpg" }] },
      ["files[0].externalFileId must be a string"],
    ],
    [
      "a URL that is not http",
      { externalId: "a", files: [{ url: "ftp://crm.example/1.jpg", externalFileId: "p" }] },
      ["files[0].url must use http or https"],
    ],
  ])("parseListingInput: %s answers 400", (_label, body, expected) => {
    expect(problems(() => parseListingInput(body))).toEqual(expected);
  });

  it("parseListingInput: a title may hold tabs and line breaks", () => {
    expect(parseListingInput({ externalId: "a", title: "Flat\n\tbalcony\r\n" }).title).toBe("Flat\n\tbalcony\r\n");
  });

  it("parseListingInput: a 500-character title (astral characters counted once) is accepted", () => {
    expect(parseListingInput({ externalId: "a", title: "🏠".repeat(500) }).title).toHaveLength(1000);
  });

  it("parseListingInput: every problem is listed at once", () => {
    expect(
      problems(() =>
        parseListingInput({ externalId: "", title: 1, status: "active", files: [{ id: -1 }, { externalFileId: 3 }] }),
      ),
    ).toEqual([
      "externalId must be 1-255 characters",
      "title must be a string",
      "files[0].id must be a positive integer",
      "files[1].externalFileId must be a string",
      "an active listing needs at least 3 files",
    ]);
  });
});

describe("assertDistinctFiles", () => {
  it("assertDistinctFiles: entries resolving to one file are refused", () => {
    expect(() => assertDistinctFiles([1, 2, 3])).not.toThrow();
    expect(problems(() => assertDistinctFiles([4, 5, 4]))).toEqual(["files[2] is the same file as files[0]"]);
  });
});

const file = (id: number, optimization: OptimizationStatus, externalId: string | null = null): PublicationFile => ({
  id,
  externalId,
  optimization,
});

describe("planPublication", () => {
  it("planPublication: a draft stays a draft, whatever its files", () => {
    expect(planPublication("draft", [])).toEqual({ status: "draft" });
    expect(planPublication("draft", [file(1, "failed")])).toEqual({ status: "draft" });
  });

  it("planPublication: active with fewer than 3 files answers 400", () => {
    const error = thrown(() => planPublication("active", [file(1, "success"), file(2, "success")]));
    expect(errorBody(error as ValidationError)).toMatchObject({
      statusCode: 400,
      message: ["an active listing needs at least 3 files"],
    });
  });

  it("planPublication: active with 3 optimized files is active at once", () => {
    expect(planPublication("active", [file(1, "success"), file(2, "success"), file(3, "success")])).toEqual({
      status: "active",
    });
  });

  it.each([["pending"], ["in_progress"]] as const)("planPublication: a file still %s makes it wait", (state) => {
    expect(planPublication("active", [file(1, "success"), file(2, state), file(3, "success")])).toEqual({
      status: "pending_active",
    });
  });

  it("planPublication: a failed file makes it publish_failed, naming the file and its external ID", () => {
    expect(
      planPublication("active", [file(1, "pending"), file(123, "failed", "apt-1-photo-2"), file(9, "failed")]),
    ).toEqual({ status: "publish_failed", publicErrorMessage: "file 123 (apt-1-photo-2) failed to optimize" });
    expect(planPublication("active", [file(1, "success"), file(2, "success"), file(77, "failed")])).toEqual({
      status: "publish_failed",
      publicErrorMessage: "file 77 failed to optimize",
    });
  });
});

describe("publicationOutcome", () => {
  it("publicationOutcome: a waiting listing left with fewer than 3 files keeps waiting", () => {
    expect(publicationOutcome([file(1, "success"), file(2, "success")])).toEqual({ status: "pending_active" });
    expect(publicationOutcome([])).toEqual({ status: "pending_active" });
  });

  it("publicationOutcome: a failed file decides even with fewer than 3 files", () => {
    expect(publicationOutcome([file(5, "failed", "x")])).toMatchObject({ status: "publish_failed" });
  });
});

describe("afterFileRemoved", () => {
  it("afterFileRemoved: an active listing left with fewer than 3 files waits again", () => {
    expect(afterFileRemoved("active", 2)).toEqual({ status: "pending_active", evaluate: true });
    expect(afterFileRemoved("active", 0)).toEqual({ status: "pending_active", evaluate: true });
  });

  it("afterFileRemoved: an active listing with 3 files left stays active", () => {
    expect(afterFileRemoved("active", 3)).toEqual({ status: "active", evaluate: false });
  });

  it("afterFileRemoved: a waiting listing is evaluated again (the file it waited on may be gone)", () => {
    expect(afterFileRemoved("pending_active", 5)).toEqual({ status: "pending_active", evaluate: true });
  });

  it("afterFileRemoved: drafts and failed publications are left as they are", () => {
    expect(afterFileRemoved("draft", 0)).toEqual({ status: "draft", evaluate: false });
    expect(afterFileRemoved("publish_failed", 1)).toEqual({ status: "publish_failed", evaluate: false });
  });
});

describe("publishJobEnd", () => {
  it("publishJobEnd: active completes the job with the listing id; a failure fails it with the reason", () => {
    expect(publishJobEnd(4, { status: "active" })).toEqual({
      status: "completed",
      resultData: { listingId: 4 },
      publicErrorMessage: null,
    });
    expect(publishJobEnd(4, { status: "publish_failed", publicErrorMessage: "file 1 failed to optimize" })).toEqual({
      status: "failed",
      resultData: null,
      publicErrorMessage: "file 1 failed to optimize",
    });
  });

  it("publishJobEnd: a waiting listing's job goes on; a draft or a deletion cancels it", () => {
    expect(publishJobEnd(4, { status: "pending_active" })).toBeUndefined();
    expect(publishJobEnd(4, { status: "draft" })).toMatchObject({
      status: "failed",
      publicErrorMessage: "publication cancelled: the listing was set to draft",
    });
    expect(PUBLISH_CANCELLED_BY_DELETE).toMatchObject({
      status: "failed",
      publicErrorMessage: "publication cancelled: the listing was deleted",
    });
  });

  it("publishListingJobKey: one key per listing, so that wake-ups coalesce", () => {
    expect(publishListingJobKey(12)).toBe("publish_listing:12");
  });
});

describe("the publication task", () => {
  it("isOpenPublishJob: a pending or processing job still waits; an ended one does not", () => {
    expect(isOpenPublishJob("pending")).toBe(true);
    expect(isOpenPublishJob("processing")).toBe(true);
    expect(isOpenPublishJob("completed")).toBe(false);
    expect(isOpenPublishJob("failed")).toBe(false);
  });

  it("publicationTaskStep: a job decided already (ended, or gone) is left alone, whatever the listing", () => {
    expect(publicationTaskStep({ status: "completed" }, { status: "pending_active" })).toBe("skip");
    expect(publicationTaskStep({ status: "failed" }, undefined)).toBe("skip");
    expect(publicationTaskStep(undefined, { status: "pending_active" })).toBe("skip");
  });

  it("publicationTaskStep: an open job of a deleted listing is cancelled", () => {
    expect(publicationTaskStep({ status: "pending" }, undefined)).toBe("cancel");
    expect(publicationTaskStep({ status: "processing" }, undefined)).toBe("cancel");
  });

  it("publicationTaskStep: only a waiting listing is evaluated (an upsert that decided ended the job itself)", () => {
    expect(publicationTaskStep({ status: "pending" }, { status: "pending_active" })).toBe("evaluate");
    expect(publicationTaskStep({ status: "processing" }, { status: "pending_active" })).toBe("evaluate");
    expect(publicationTaskStep({ status: "pending" }, { status: "active" })).toBe("skip");
    expect(publicationTaskStep({ status: "pending" }, { status: "draft" })).toBe("skip");
  });

  it("publicationStep: a listing still waiting marks its pending job processing, once", () => {
    const files = [file(1, "success"), file(2, "in_progress"), file(3, "pending")];
    expect(publicationStep(7, "pending", files)).toEqual({ wait: true, job: "processing" });
    expect(publicationStep(7, "processing", files)).toEqual({ wait: true });
  });

  it("publicationStep: all files optimized publishes the listing and completes its job", () => {
    const files = [file(1, "success"), file(2, "success"), file(3, "success")];
    expect(publicationStep(7, "processing", files)).toEqual({
      wait: false,
      status: "active",
      end: { status: "completed", resultData: { listingId: 7 }, publicErrorMessage: null },
      published: true,
    });
  });

  it("publicationStep: a failed file fails the listing and its job, naming the file; nothing is published", () => {
    const files = [file(1, "success"), file(2, "failed", "hall"), file(3, "pending")];
    expect(publicationStep(7, "pending", files)).toEqual({
      wait: false,
      status: "publish_failed",
      end: { status: "failed", resultData: null, publicErrorMessage: "file 2 (hall) failed to optimize" },
      published: false,
    });
  });
});

describe("linking listings", () => {
  const listing = (id: number, externalId: string | null) => ({ id, externalId });

  it("planLink: a listing carrying another external ID answers 409 Listing already has external ID", () => {
    const error = thrown(() => planLink(listing(1, "a"), "b", null, LISTING_LINK_ERRORS));
    expect(error).toBeInstanceOf(DomainError);
    expect(errorBody(error as DomainError)).toStrictEqual({
      statusCode: 409,
      message: "Listing already has external ID",
      error: "Conflict",
      code: "LISTING_ALREADY_HAS_EXTERNAL_ID",
    });
  });

  it("planLink: an external ID another listing carries answers 409 with that listing's id", () => {
    const error = thrown(() => planLink(listing(1, null), "b", listing(8, "b"), LISTING_LINK_ERRORS));
    expect(errorBody(error as DomainError)).toStrictEqual({
      statusCode: 409,
      message: "External ID already linked",
      error: "Conflict",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      listingId: 8,
    });
    expect(planLink(listing(1, "b"), "b", listing(1, "b"), LISTING_LINK_ERRORS)).toEqual({ action: "already-linked" });
    expect(planLink(listing(1, null), "b", null, LISTING_LINK_ERRORS)).toEqual({ action: "link" });
  });

  it("planUnlink: a listing without external ID answers 409 Listing has no external ID", () => {
    expect(planUnlink(listing(1, "a"), LISTING_LINK_ERRORS)).toEqual({ externalId: "a" });
    expect(errorBody(thrown(() => planUnlink(listing(1, null), LISTING_LINK_ERRORS)) as DomainError)).toStrictEqual({
      statusCode: 409,
      message: "Listing has no external ID",
      error: "Conflict",
      code: "LISTING_HAS_NO_EXTERNAL_ID",
    });
  });
});

describe("toRestListing", () => {
  it("toRestListing: the contract's fields, dates as ISO strings, files in the order given", () => {
    const createdAt = new Date("2026-11-26T10:00:00.000Z");
    const updatedAt = new Date("2026-11-26T11:00:00.000Z");
    const files = [
      { id: 9, externalId: "p-9", contentType: "image/jpeg", size: 100, optimization: "success" as const },
      { id: 3, externalId: null, contentType: "image/png", size: 200, optimization: "pending" as const },
    ];
    expect(
      toRestListing({ id: 1, externalId: "apt-1", title: "T", status: "pending_active", createdAt, updatedAt }, [
        ...files.map((f) => ({ ...f, listingId: 1 })),
      ]),
    ).toStrictEqual({
      id: 1,
      externalId: "apt-1",
      title: "T",
      status: "pending_active",
      createdAt: "2026-11-26T10:00:00.000Z",
      updatedAt: "2026-11-26T11:00:00.000Z",
      files,
    });
  });
});

describe("isPublication", () => {
  it("is true only when a listing becomes active", () => {
    expect(isPublication(undefined, "active")).toBe(true);
    for (const before of ["draft", "pending_active", "publish_failed"] as const) {
      expect(isPublication(before, "active")).toBe(true);
    }
    expect(isPublication("active", "active")).toBe(false);
    for (const after of ["draft", "pending_active", "publish_failed"] as const) {
      expect(isPublication(undefined, after)).toBe(false);
      expect(isPublication("active", after)).toBe(false);
    }
  });
});
