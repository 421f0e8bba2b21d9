import {
  afterFileRemoved,
  isListingStatus,
  OPEN_PUBLISH_JOB_STATUSES,
  PUBLISH_CANCELLED_BY_DELETE,
  PUBLISH_JOB_TYPE,
  type PublicationOutcome,
  type PublishJobEnd,
  publicationStep,
  publicationTaskStep,
  publishJobEnd,
  publishListingJobKey,
} from "@darkroom/domain";
import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Transaction } from "../client.ts";
import { addJob } from "../jobs.ts";
import { clientJobs } from "../schema/jobs.ts";
import { listingFiles, listings } from "../schema/listings.ts";
import { media } from "../schema/media.ts";
import { recordEvent } from "../webhooks.ts";

/**
 * A listing's publication, written in the transaction of whatever changes it: the gateway's upsert
 * and file deletion, the optimizer's end of a file and its `publish_listing` task; the rules are
 * packages/domain's. A listing that waits (`pending_active`) has exactly one open client job
 * (`publish_listing`), and its task is enqueued under the listing's job key; the task evaluates the
 * listing once the transaction commits, and again whenever the optimizer ends one of its files.
 */

const openPublishJobOf = (listingId: number) =>
  and(
    eq(clientJobs.listingId, listingId),
    eq(clientJobs.type, PUBLISH_JOB_TYPE),
    inArray(clientJobs.status, [...OPEN_PUBLISH_JOB_STATUSES]),
  );

async function openPublishJob(tx: Transaction, listingId: number): Promise<number | undefined> {
  const [job] = await tx
    .select({ id: clientJobs.id })
    .from(clientJobs)
    .where(openPublishJobOf(listingId))
    .orderBy(asc(clientJobs.id))
    .limit(1);
  return job?.id;
}

/** Ends the listing's open publication job, if it has one. */
export async function endPublishJob(tx: Transaction, listingId: number, end: PublishJobEnd): Promise<void> {
  await tx
    .update(clientJobs)
    .set({ ...end, updatedAt: sql`now()` })
    .where(openPublishJobOf(listingId));
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
    if (next.status !== listing.status) await setListingStatus(tx, listing.id, next.status);
    if (next.evaluate) await settlePublication(tx, agencyId, listing.id, { status: "pending_active" });
  }
}

async function setListingStatus(tx: Transaction, listingId: number, status: string): Promise<void> {
  await tx.update(listings).set({ status, updatedAt: sql`now()` }).where(eq(listings.id, listingId));
}

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
 * The `publish_listing` task's evaluation of a waiting (`pending_active`) listing, in the task's
 * transaction: all its files optimized → `active` and the job `completed`; one failed →
 * `publish_failed` and the job `failed` naming the file; otherwise the job is `processing`, to be
 * woken when a file ends. The listing is locked meanwhile, so a concurrent upsert or file deletion
 * decides before or after, never between.
 */
export async function evaluatePublication(tx: Transaction, listingId: number, jobId: number): Promise<void> {
  const [listing] = await tx
    .select({ status: listings.status, agencyId: listings.agencyId, externalId: listings.externalId })
    .from(listings)
    .where(eq(listings.id, listingId))
    .for("update");
  const [job] = await tx
    .select({ status: clientJobs.status })
    .from(clientJobs)
    .where(and(eq(clientJobs.id, jobId), eq(clientJobs.listingId, listingId)));
  const setJob = (values: Partial<typeof clientJobs.$inferInsert>) =>
    tx
      .update(clientJobs)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(clientJobs.id, jobId));
  const start = publicationTaskStep(job, listing);
  if (start === "cancel") await setJob(PUBLISH_CANCELLED_BY_DELETE);
  if (start !== "evaluate" || !job || !listing) return;

  const files = await tx
    .select({ id: media.id, externalId: media.externalId, optimization: media.optimization })
    .from(listingFiles)
    .innerJoin(media, eq(media.id, listingFiles.mediaId))
    .where(eq(listingFiles.listingId, listingId))
    .orderBy(asc(listingFiles.position));
  const step = publicationStep(listingId, job.status, files);
  if (step.wait) {
    if (step.job) await setJob({ status: step.job });
    return;
  }
  await setListingStatus(tx, listingId, step.status);
  if (step.published) {
    await recordEvent(tx, listing.agencyId, "listing.published", { listingId, externalId: listing.externalId });
  }
  await setJob(step.end);
}
