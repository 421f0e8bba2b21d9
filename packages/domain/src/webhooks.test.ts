import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { taskPayloads } from "./tasks.ts";
import {
  assertRoomForWebhook,
  deliveryFailure,
  deliveryRetentionCutoff,
  isWebhookEventType,
  MAX_WEBHOOKS_PER_AGENCY,
  newWebhookMessageId,
  newWebhookSecret,
  parseWebhookInput,
  signWebhook,
  WEBHOOK_DELIVERY_RETENTION_DAYS,
  WEBHOOK_EVENT_TYPES,
  webhookBody,
  webhookHeaders,
  webhookSigningKey,
} from "./webhooks.ts";

function problems(value: unknown): string[] {
  try {
    parseWebhookInput(value);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error("the input was accepted");
}

/** A vector computed with the `standardwebhooks` package (Webhook#sign), pinned here. */
const vector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
  timestamp: 1714564800,
  body: '{"id":"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W","type":"media.optimized","timestamp":"2024-05-01T12:00:00.000Z","data":{"mediaId":42}}',
  signature: "v1,LPb7F/iv/bDEKHiNePih5zvhKrgktlNmwx1Pw9+6dPU=",
};

describe("webhook events", () => {
  it("webhooks: the four event types of the contract", () => {
    expect(WEBHOOK_EVENT_TYPES).toEqual(["media.optimized", "media.failed", "media.deleted", "listing.published"]);
    expect(isWebhookEventType("media.deleted")).toBe(true);
    expect(isWebhookEventType("media.created")).toBe(false);
    expect(isWebhookEventType(1)).toBe(false);
  });
});

describe("parseWebhookInput", () => {
  it("parseWebhookInput: an https URL and events parse, events deduplicated in a stable order", () => {
    expect(
      parseWebhookInput({
        url: "https://hooks.example.com/darkroom?x=1",
        events: ["media.failed", "media.optimized", "media.failed"],
      }),
    ).toEqual({ url: "https://hooks.example.com/darkroom?x=1", events: ["media.optimized", "media.failed"] });
  });

  it("parseWebhookInput: http is accepted too", () => {
    expect(parseWebhookInput({ url: "http://example.com/hook", events: ["listing.published"] }).url).toBe(
      "http://example.com/hook",
    );
  });

  it.each([
    ["ftp URL", { url: "ftp://example.com/x", events: ["media.deleted"] }, "url must use http or https"],
    ["relative URL", { url: "/hook", events: ["media.deleted"] }, "url must be an absolute URL"],
    ["missing URL", { events: ["media.deleted"] }, "url must be a string"],
    ["credentials", { url: "https://u:p@example.com/", events: ["media.deleted"] }, "url must not contain credentials"],
  ])("parseWebhookInput: %s is refused", (_name, input, message) => {
    expect(problems(input)).toEqual([message]);
  });

  it.each([
    ["missing", undefined],
    ["empty", []],
    ["unknown type", ["media.optimized", "media.created"]],
    ["not an array", "media.optimized"],
    ["not strings", [1]],
  ])("parseWebhookInput: events %s is refused", (_name, events) => {
    expect(problems({ url: "https://example.com/", events })).toEqual([
      "events must be a non-empty array of media.optimized, media.failed, media.deleted, listing.published",
    ]);
  });

  it("parseWebhookInput: every problem is reported at once", () => {
    expect(problems({ url: "nope", events: [] })).toHaveLength(2);
  });

  it.each([null, [], "x", 3])("parseWebhookInput: a body that is not an object (%j) is refused", (value) => {
    expect(problems(value)).toEqual(["body must be a JSON object"]);
  });
});

describe("secrets and ids", () => {
  it("newWebhookSecret: whsec_ and the base64 of 32 random bytes, different every time", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSigningKey(secret)).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("newWebhookSecret: given bytes make the matching secret", () => {
    expect(newWebhookSecret(new Uint8Array(24).fill(1))).toBe(`whsec_${Buffer.alloc(24, 1).toString("base64")}`);
  });

  it("webhookSigningKey: a secret without the whsec_ prefix is refused", () => {
    expect(() => webhookSigningKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toThrow(/whsec_/);
  });

  it("newWebhookMessageId: msg_ and random URL-safe characters", () => {
    const id = newWebhookMessageId();
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
    expect(newWebhookMessageId()).not.toBe(id);
  });
});

describe("signing", () => {
  it("signWebhook: matches the standardwebhooks vector", () => {
    expect(signWebhook(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it("signWebhook: agrees with the standardwebhooks package for a fresh secret and message", () => {
    const secret = newWebhookSecret();
    const id = newWebhookMessageId();
    const body = webhookBody({ id, type: "media.deleted", timestamp: new Date(), data: { mediaId: 7 } });
    const timestamp = Math.floor(Date.now() / 1000);
    expect(signWebhook(secret, id, timestamp, body)).toBe(
      new Webhook(secret).sign(id, new Date(timestamp * 1000), body),
    );
  });

  it("webhookBody: {id, type, timestamp, data} in that order, the timestamp in ISO 8601", () => {
    const body = webhookBody({
      id: vector.id,
      type: "media.optimized",
      timestamp: new Date("2024-05-01T12:00:00Z"),
      data: { mediaId: 42 },
    });
    expect(body).toBe(vector.body);
  });

  it("webhookHeaders: verify with standardwebhooks' Webhook#verify", () => {
    const secret = newWebhookSecret();
    const id = newWebhookMessageId();
    const body = webhookBody({ id, type: "listing.published", timestamp: new Date(), data: { listingId: 3 } });
    const headers = webhookHeaders(secret, id, Math.floor(Date.now() / 1000), body);
    expect(headers).toMatchObject({ "content-type": "application/json", "webhook-id": id });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace("3", "4"), headers)).toThrow();
  });
});

describe("deliver_webhook payload", () => {
  it("deliver_webhook: a positive deliveryId parses; anything else is refused", () => {
    expect(taskPayloads.deliver_webhook.parse({ deliveryId: 5 })).toEqual({ deliveryId: 5 });
    expect(taskPayloads.deliver_webhook.safeParse({ deliveryId: 0 }).success).toBe(false);
    expect(taskPayloads.deliver_webhook.safeParse({}).success).toBe(false);
  });
});

describe("webhook limits and delivery outcomes", () => {
  it("assertRoomForWebhook: an agency may have up to MAX_WEBHOOKS_PER_AGENCY webhooks", () => {
    expect(() => assertRoomForWebhook(0)).not.toThrow();
    expect(() => assertRoomForWebhook(MAX_WEBHOOKS_PER_AGENCY - 1)).not.toThrow();
    for (const count of [MAX_WEBHOOKS_PER_AGENCY, MAX_WEBHOOKS_PER_AGENCY + 1]) {
      try {
        assertRoomForWebhook(count);
        throw new Error("the webhook was allowed");
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).problems).toEqual([
          `an agency may have at most ${MAX_WEBHOOKS_PER_AGENCY} webhooks`,
        ]);
      }
    }
  });

  it("deliveryFailure: a 2xx delivers; any other status is a failure naming it", () => {
    for (const status of [200, 201, 204, 299]) expect(deliveryFailure(status)).toBeUndefined();
    expect(deliveryFailure(199)).toBe("the endpoint answered 199");
    expect(deliveryFailure(300)).toBe("the endpoint answered 300");
    expect(deliveryFailure(404)).toBe("the endpoint answered 404");
    expect(deliveryFailure(503)).toBe("the endpoint answered 503");
  });

  it("deliveryRetentionCutoff: the retention period before now", () => {
    const now = new Date("2026-03-10T08:00:00Z");
    expect(deliveryRetentionCutoff(now).getTime()).toBe(now.getTime() - WEBHOOK_DELIVERY_RETENTION_DAYS * 86_400_000);
  });
});
