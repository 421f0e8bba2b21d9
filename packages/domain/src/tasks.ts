import { z } from "zod";

/**
 * The background tasks and their payloads, declared once for the side that enqueues them and the
 * side that runs them. Payloads are checked at run time: an old job may carry an old shape.
 */
export const taskPayloads = {
  /**
   * Make the variants and blurhash of `mediaId`, for optimization request number `generation`.
   * `originalKey` (the original's storage key, as the row says when enqueued) lets the image be
   * decoded while the file is marked `in_progress`; without it, the row is read first.
   */
  optimize_media: z.object({
    mediaId: z.number().int().positive(),
    generation: z.number().int().positive().default(1),
    originalKey: z.string().min(1).max(1024).optional(),
  }),
  /** Download the original of an imported file (`mediaId`) for the client job `jobId`, then optimize it. */
  import_media: z.object({
    mediaId: z.number().int().positive(),
    jobId: z.number().int().positive(),
  }),
  /**
   * Evaluate the publication of listing `listingId` (pending_active) for its client job `jobId`:
   * enqueued when it starts waiting and again, under one job key, whenever one of its files ends.
   */
  publish_listing: z.object({
    listingId: z.number().int().positive(),
    jobId: z.number().int().positive(),
  }),
  /** Remove direct uploads that were never completed, with their objects. */
  cleanup_expired_uploads: z.object({}).passthrough(),
  /** Remove stored objects: single keys, and whole per-file prefixes. */
  remove_objects: z.object({
    keys: z.array(z.string().min(1)).default([]),
    prefixes: z.array(z.string().min(1)).default([]),
  }),
  /** Send the webhook delivery `deliveryId` (an outbox row); thrown errors are retried with backoff. */
  deliver_webhook: z.object({
    deliveryId: z.number().int().positive(),
  }),
} as const;

export type TaskName = keyof typeof taskPayloads;
export type TaskPayload<T extends TaskName> = z.input<(typeof taskPayloads)[T]>;
export type ParsedTaskPayload<T extends TaskName> = z.output<(typeof taskPayloads)[T]>;
