import { addJob, recordEvent, schema, type Transaction } from "@darkroom/db";
import {
  OPEN_PUBLISH_JOB_STATUSES,
  PUBLISH_CANCELLED_BY_DELETE,
  PUBLISH_JOB_TYPE,
  publicationOutcome,
  publishJobEnd,
  publishListingJobKey,
  taskPayloads,
} from "@darkroom/domain";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Task } from "graphile-worker";
import type { TaskContext } from "./context.ts";

const { listings, listingFiles, media, clientJobs } = schema;

const isOpen = (status: string) => (OPEN_PUBLISH_JOB_STATUSES as readonly string[]).includes(status);

/**
 * Called in the transaction that ends a file's optimization (`success` or `failed`): wakes the
 * publication job of every listing waiting on that file, so that it evaluates once this commits.
 * The job key makes wake-ups of one listing coalesce into one pending run.
 */
export async function wakeListingsWaitingOn(tx: Transaction, mediaId: number): Promise<void> {
  const waiting = await tx
    .select({ listingId: listings.id, jobId: clientJobs.id })
    .from(listingFiles)
    .innerJoin(listings, and(eq(listings.id, listingFiles.listingId), eq(listings.status, "pending_active")))
    .innerJoin(
      clientJobs,
      and(
        eq(clientJobs.listingId, listings.id),
        eq(clientJobs.type, PUBLISH_JOB_TYPE),
        inArray(clientJobs.status, [...OPEN_PUBLISH_JOB_STATUSES]),
      ),
    )
    .where(eq(listingFiles.mediaId, mediaId))
    .orderBy(asc(listings.id))
    .prepare("listings_waiting_on_file")
    .execute();
  for (const payload of waiting) {
    await addJob(tx, "publish_listing", payload, { jobKey: publishListingJobKey(payload.listingId) });
  }
}

/**
 * Evaluates a waiting (`pending_active`) listing's publication: all its files optimized → `active`
 * and the job `completed`; one failed → `publish_failed` and the job `failed` naming the file;
 * otherwise the job is `processing` and the task returns, to be woken when a file ends. The listing
 * is locked meanwhile, so a concurrent upsert or file deletion decides before or after, never between.
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

    await db.transaction(async (tx) => {
      const [listing] = await tx
        .select({ status: listings.status, agencyId: listings.agencyId, externalId: listings.externalId })
        .from(listings)
        .where(eq(listings.id, listingId))
        .for("update");
      const [job] = await tx
        .select({ status: clientJobs.status })
        .from(clientJobs)
        .where(and(eq(clientJobs.id, jobId), eq(clientJobs.listingId, listingId)));
      if (!job || !isOpen(job.status)) return; // decided already
      const setJob = (values: Partial<typeof clientJobs.$inferInsert>) =>
        tx
          .update(clientJobs)
          .set({ ...values, updatedAt: sql`now()` })
          .where(eq(clientJobs.id, jobId));
      if (!listing) {
        await setJob(PUBLISH_CANCELLED_BY_DELETE);
        return;
      }
      if (listing.status !== "pending_active") return; // an upsert decided, and ended the job itself

      const files = await tx
        .select({ id: media.id, externalId: media.externalId, optimization: media.optimization })
        .from(listingFiles)
        .innerJoin(media, eq(media.id, listingFiles.mediaId))
        .where(eq(listingFiles.listingId, listingId))
        .orderBy(asc(listingFiles.position));
      const outcome = publicationOutcome(files);
      const end = publishJobEnd(listingId, outcome);
      if (!end) {
        if (job.status === "pending") await setJob({ status: "processing" });
        return;
      }
      await tx
        .update(listings)
        .set({ status: outcome.status, updatedAt: sql`now()` })
        .where(eq(listings.id, listingId));
      if (outcome.status === "active") {
        await recordEvent(tx, listing.agencyId, "listing.published", { listingId, externalId: listing.externalId });
      }
      await setJob(end);
    });
  };
}
