import { addJob, schema, type Transaction } from "@darkroom/db";
import {
  afterFileRemoved,
  isListingStatus,
  OPEN_PUBLISH_JOB_STATUSES,
  PUBLISH_JOB_TYPE,
  type PublicationOutcome,
  type PublishJobEnd,
  publishJobEnd,
  publishListingJobKey,
} from "@darkroom/domain";
import { and, asc, count, eq, inArray, sql } from "drizzle-orm";

/**
 * A listing's publication, as the gateway writes it in the listing's transaction. A listing that
 * waits (`pending_active`) has exactly one open client job (`publish_listing`), and its task is
 * enqueued under the listing's job key; the task evaluates the listing once the transaction
 * commits, and again whenever the optimizer ends one of its files.
 */

const { listings, listingFiles, clientJobs } = schema;

async function openPublishJob(tx: Transaction, listingId: number): Promise<number | undefined> {
  const [job] = await tx
    .select({ id: clientJobs.id })
    .from(clientJobs)
    .where(
      and(
        eq(clientJobs.listingId, listingId),
        eq(clientJobs.type, PUBLISH_JOB_TYPE),
        inArray(clientJobs.status, [...OPEN_PUBLISH_JOB_STATUSES]),
      ),
    )
    .orderBy(asc(clientJobs.id))
    .limit(1);
  return job?.id;
}

/** Ends the listing's open publication job, if it has one. */
export async function endPublishJob(tx: Transaction, listingId: number, end: PublishJobEnd): Promise<void> {
  await tx
    .update(clientJobs)
    .set({ ...end, updatedAt: sql`now()` })
    .where(
      and(
        eq(clientJobs.listingId, listingId),
        eq(clientJobs.type, PUBLISH_JOB_TYPE),
        inArray(clientJobs.status, [...OPEN_PUBLISH_JOB_STATUSES]),
      ),
    );
}

/**
 * What a listing's new status means for its publication job: a waiting listing keeps its open job
 * (or gets one) and the job is woken; any other status ends the open job. Answers the waiting job's id.
 */
export async function settlePublication(
  tx: Transaction,
  agencyId: number,
  listingId: number,
  outcome: PublicationOutcome,
): Promise<number | undefined> {
  const end = publishJobEnd(listingId, outcome);
  if (end) {
    await endPublishJob(tx, listingId, end);
    return undefined;
  }
  let jobId = await openPublishJob(tx, listingId);
  if (jobId === undefined) {
    const [job] = await tx
      .insert(clientJobs)
      .values({ agencyId, type: PUBLISH_JOB_TYPE, listingId })
      .returning({ id: clientJobs.id });
    if (!job) throw new Error("job row was not inserted");
    jobId = job.id;
  }
  await addJob(tx, "publish_listing", { listingId, jobId }, { jobKey: publishListingJobKey(listingId) });
  return jobId;
}

export interface HoldingListing {
  id: number;
  status: string;
}

/**
 * The listings that hold a file about to be deleted, locked. Call it with the file's row locked
 * (FOR UPDATE), so that no listing can take the file meanwhile.
 */
export async function listingsHolding(tx: Transaction, agencyId: number, mediaId: number): Promise<HoldingListing[]> {
  return tx
    .select({ id: listings.id, status: listings.status })
    .from(listings)
    .where(
      and(
        eq(listings.agencyId, agencyId),
        inArray(
          listings.id,
          tx.select({ id: listingFiles.listingId }).from(listingFiles).where(eq(listingFiles.mediaId, mediaId)),
        ),
      ),
    )
    .orderBy(asc(listings.id))
    .for("update");
}

/**
 * Once the file is deleted (its places in `affected` went with it): an active listing left with
 * fewer than 3 files waits again, and every waiting listing has its publication evaluated again.
 */
export async function afterFileDeleted(tx: Transaction, agencyId: number, affected: HoldingListing[]): Promise<void> {
  if (affected.length === 0) return;
  const counts = await tx
    .select({ listingId: listingFiles.listingId, files: count() })
    .from(listingFiles)
    .where(
      inArray(
        listingFiles.listingId,
        affected.map((listing) => listing.id),
      ),
    )
    .groupBy(listingFiles.listingId);
  for (const listing of affected) {
    if (!isListingStatus(listing.status)) continue;
    const remaining = counts.find((row) => row.listingId === listing.id)?.files ?? 0;
    const next = afterFileRemoved(listing.status, remaining);
    if (next.status !== listing.status) {
      await tx.update(listings).set({ status: next.status, updatedAt: sql`now()` }).where(eq(listings.id, listing.id));
    }
    if (next.evaluate) await settlePublication(tx, agencyId, listing.id, { status: "pending_active" });
  }
}
