import { createHmac, randomBytes } from "node:crypto";
import { ValidationError } from "./errors.ts";
import { parseOutboundUrl } from "./outbound.ts";

/**
 * Webhooks, as the Standard Webhooks convention has them (https://www.standardwebhooks.com):
 * a `POST` of `{"id", "type", "timestamp", "data"}` with the headers `webhook-id`,
 * `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), keyed by the webhook's secret
 * `whsec_<base64>` (the key is the decoded part after the prefix).
 */

export const WEBHOOK_EVENT_TYPES = ["media.optimized", "media.failed", "media.deleted", "listing.published"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The `data` of each event. `externalId` is the client's own ID, or null. */
export interface WebhookEventData {
  "media.optimized": { mediaId: number; externalId: string | null; width: number; height: number };
  "media.failed": { mediaId: number; externalId: string | null; error: string };
  "media.deleted": { mediaId: number; externalId: string | null };
  "listing.published": { listingId: number; externalId: string | null };
}

export const MAX_WEBHOOKS_PER_AGENCY = 10;
export const WEBHOOK_SECRET_PREFIX = "whsec_";
/** Random bytes of a webhook secret (Standard Webhooks asks for 24 to 64). */
export const WEBHOOK_SECRET_BYTES = 32;
/** Deliveries are tried this many times (graphile-worker's exponential backoff: about a day in all). */
export const WEBHOOK_MAX_ATTEMPTS = 12;
/** One delivery attempt's deadline. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Deliveries that ended (delivered, or out of attempts) are kept this long, then pruned. */
export const WEBHOOK_DELIVERY_RETENTION_DAYS = 7;

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === "string" && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

export interface WebhookInput {
  url: string;
  events: WebhookEventType[];
}

/** `{url, events}` of `POST /webhooks`: an http(s) URL and a non-empty set of known event types. */
export function parseWebhookInput(value: unknown): WebhookInput {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(["body must be a JSON object"]);
  }
  const { url: rawUrl, events: rawEvents } = value as Record<string, unknown>;
  const problems: string[] = [];
  let url: string | undefined;
  try {
    url = parseOutboundUrl(rawUrl).toString();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.problems);
  }
  const expected = `events must be a non-empty array of ${WEBHOOK_EVENT_TYPES.join(", ")}`;
  let events: WebhookEventType[] = [];
  if (!Array.isArray(rawEvents) || rawEvents.length === 0 || !rawEvents.every(isWebhookEventType)) {
    problems.push(expected);
  } else {
    events = WEBHOOK_EVENT_TYPES.filter((type) => rawEvents.includes(type)); // deduplicated, in a stable order
  }
  if (problems.length > 0 || url === undefined) throw new ValidationError(problems);
  return { url, events };
}

/** A new secret: `whsec_` and the base64 of `bytes` (random unless given). */
export function newWebhookSecret(bytes: Uint8Array = randomBytes(WEBHOOK_SECRET_BYTES)): string {
  return `${WEBHOOK_SECRET_PREFIX}${Buffer.from(bytes).toString("base64")}`;
}

/** A new message id: `msg_` and 24 random characters. */
export function newWebhookMessageId(): string {
  return `msg_${randomBytes(18).toString("base64url")}`;
}

/** The HMAC key of a secret: the base64-decoded part after `whsec_`. */
export function webhookSigningKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error("a webhook secret starts with whsec_");
  return Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), "base64");
}

export interface WebhookMessage {
  id: string;
  type: string;
  /** When the event happened. */
  timestamp: Date;
  data: unknown;
}

/** The body of a delivery, byte for byte the same on every retry of one message. */
export function webhookBody(message: WebhookMessage): string {
  return JSON.stringify({
    id: message.id,
    type: message.type,
    timestamp: message.timestamp.toISOString(),
    data: message.data,
  });
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", webhookSigningKey(secret))
    .update(`${messageId}.${timestampSeconds}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}

/** The headers of one delivery attempt (the timestamp is the attempt's, in Unix seconds). */
export function webhookHeaders(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "webhook-id": messageId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signWebhook(secret, messageId, timestampSeconds, body),
  };
}

/** An agency with `count` webhooks may add one more only below `MAX_WEBHOOKS_PER_AGENCY`. */
export function assertRoomForWebhook(count: number): void {
  if (count >= MAX_WEBHOOKS_PER_AGENCY) {
    throw new ValidationError([`an agency may have at most ${MAX_WEBHOOKS_PER_AGENCY} webhooks`]);
  }
}

/** Why a delivery attempt answered with HTTP `status` failed; undefined for a 2xx (delivered). */
export function deliveryFailure(status: number): string | undefined {
  return status < 200 || status >= 300 ? `the endpoint answered ${status}` : undefined;
}

/** Deliveries that ended before this moment (`now` less the retention period) are pruned. */
export function deliveryRetentionCutoff(now: Date): Date {
  return new Date(now.getTime() - WEBHOOK_DELIVERY_RETENTION_DAYS * 24 * 60 * 60 * 1000);
}
