import { evaluatePublication } from "@darkroom/db";
import { taskPayloads } from "@darkroom/domain";
import type { Task } from "graphile-worker";
import type { TaskContext } from "./context.ts";

/**
 * Evaluates a waiting (`pending_active`) listing's publication, in one transaction: all its files
 * optimized → `active` and the job `completed`; one failed → `publish_failed` and the job `failed`
 * naming the file; otherwise the job is `processing` and the task returns, to be woken when a file
 * ends (`wakeListingsWaitingOn`). The listing is locked meanwhile, so a concurrent upsert or file
 * deletion decides before or after, never between. The steps are packages/db's `evaluatePublication`.
 */
export function publishListing(context: TaskContext): Task {
  const { db } = context;

  return async (payload, helpers) => {
    const parsed = taskPayloads.publish_listing.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`publish_listing: ignoring a malformed payload: ${parsed.error.message}`);
      return;
    }
    const { listingId, jobId } = parsed.data;
    await db.transaction((tx) => evaluatePublication(tx, listingId, jobId));
  };
}
