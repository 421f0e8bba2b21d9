import { describe, expect, it } from "vitest";
import { type ParsedTaskPayload, type TaskPayload, taskPayloads } from "./tasks.ts";

describe("optimize_media payload", () => {
  const schema = taskPayloads.optimize_media;

  it("optimize_media: a mediaId and generation parse as given", () => {
    const payload: TaskPayload<"optimize_media"> = { mediaId: 123, generation: 4 };
    expect(schema.parse(payload)).toEqual({ mediaId: 123, generation: 4 });
  });

  it("optimize_media: an old job without generation defaults to generation 1", () => {
    const parsed: ParsedTaskPayload<"optimize_media"> = schema.parse({ mediaId: 123 });
    expect(parsed).toEqual({ mediaId: 123, generation: 1 });
  });

  it("optimize_media: unknown keys of an old shape are dropped", () => {
    expect(schema.parse({ mediaId: 5, agencyId: 9 })).toEqual({ mediaId: 5, generation: 1 });
  });

  it.each([
    ["missing mediaId", {}],
    ["mediaId null", { mediaId: null }],
    ["mediaId zero", { mediaId: 0 }],
    ["negative mediaId", { mediaId: -1 }],
    ["non-integer mediaId", { mediaId: 1.5 }],
    ["mediaId as a string", { mediaId: "123" }],
    ["mediaId NaN", { mediaId: Number.NaN }],
    ["generation zero", { mediaId: 1, generation: 0 }],
    ["negative generation", { mediaId: 1, generation: -2 }],
    ["non-integer generation", { mediaId: 1, generation: 1.5 }],
    ["generation as a string", { mediaId: 1, generation: "2" }],
    ["not an object", 123],
    ["null", null],
  ])("optimize_media: %s is refused", (_label, payload) => {
    expect(schema.safeParse(payload).success).toBe(false);
    expect(() => schema.parse(payload)).toThrow();
  });
});

describe("remove_objects payload", () => {
  const schema = taskPayloads.remove_objects;

  it("remove_objects: keys and prefixes parse as given", () => {
    const payload: TaskPayload<"remove_objects"> = {
      keys: ["agency/1/media/5/original.jpg"],
      prefixes: ["agency/1/media/6/"],
    };
    expect(schema.parse(payload)).toEqual(payload);
  });

  it("remove_objects: missing keys and prefixes default to []", () => {
    const parsed: ParsedTaskPayload<"remove_objects"> = schema.parse({});
    expect(parsed).toEqual({ keys: [], prefixes: [] });
    expect(schema.parse({ keys: ["a"] })).toEqual({ keys: ["a"], prefixes: [] });
    expect(schema.parse({ prefixes: ["p/"] })).toEqual({ keys: [], prefixes: ["p/"] });
  });

  it.each([
    ["an empty key (would match everything)", { keys: [""] }],
    ["an empty prefix (would remove the whole bucket)", { prefixes: [""] }],
    ["keys not an array", { keys: "a" }],
    ["a non-string key", { keys: [1] }],
    ["prefixes null", { prefixes: null }],
    ["not an object", "keys"],
  ])("remove_objects: %s is refused", (_label, payload) => {
    expect(schema.safeParse(payload).success).toBe(false);
  });
});

describe("taskPayloads", () => {
  it("taskPayloads: the tasks are the optimizer's six", () => {
    expect(Object.keys(taskPayloads).sort()).toEqual([
      "cleanup_expired_uploads",
      "deliver_webhook",
      "import_media",
      "optimize_media",
      "publish_listing",
      "remove_objects",
    ]);
  });

  it("publish_listing: needs a positive listingId and jobId", () => {
    const payload: TaskPayload<"publish_listing"> = { listingId: 4, jobId: 11 };
    expect(taskPayloads.publish_listing.parse(payload)).toEqual({ listingId: 4, jobId: 11 });
    expect(taskPayloads.publish_listing.safeParse({ listingId: 4 }).success).toBe(false);
    expect(taskPayloads.publish_listing.safeParse({ listingId: "4", jobId: 1 }).success).toBe(false);
    expect(taskPayloads.publish_listing.safeParse({ listingId: 0, jobId: 1 }).success).toBe(false);
  });

  it("import_media: needs a positive mediaId and jobId", () => {
    expect(taskPayloads.import_media.parse({ mediaId: 3, jobId: 9 })).toEqual({ mediaId: 3, jobId: 9 });
    expect(taskPayloads.import_media.safeParse({ mediaId: 3 }).success).toBe(false);
    expect(taskPayloads.import_media.safeParse({ mediaId: -1, jobId: 1 }).success).toBe(false);
  });
});
