import { isUniqueViolation, recordEvent, schema, type Transaction } from "@darkroom/db";
import {
  assertDistinctFiles,
  DomainError,
  decodeCursor,
  encodeCursor,
  isPublication,
  LISTING_LINK_ERRORS,
  type ListingInput,
  type ListingStatus,
  PUBLISH_CANCELLED_BY_DELETE,
  planLink,
  planPublication,
  planUnlink,
  type RestListing,
} from "@darkroom/domain";
import { and, eq, sql } from "drizzle-orm";
import { checkImportSources, resolveListingFiles } from "./listing-files.ts";
import { endPublishJob, settlePublication } from "./listing-publication.ts";
import {
  findListing,
  findListingByExternalId,
  type ListingReadDeps,
  pageOfListings,
  representListings,
} from "./listing-store.ts";

const { listings, listingFiles } = schema;

export interface ListingDeps extends ListingReadDeps {
  outboundAllowHosts: readonly string[];
}

export type UpsertListingResult = {
  id: number;
  externalId: string;
  status: ListingStatus;
  /** The job that waits for the optimizer, when the listing is `pending_active`. */
  jobId?: number;
  /** Why the listing is `publish_failed`, naming the file. */
  publicErrorMessage?: string;
} & ({ created: true } | { updated: true });

/**
 * `PUT /listings`: creates or updates the agency's listing with `input.externalId`, replaces its
 * files in order and decides its status, in one transaction with the imports it starts and its
 * publication job. Parallel upserts of one listing make one row (exactly one answers `created`).
 */
export async function upsertListing(
  deps: ListingDeps,
  agencyId: number,
  input: ListingInput,
): Promise<UpsertListingResult> {
  await checkImportSources(deps, agencyId, input.files);
  return deps.db.transaction(async (tx) => {
    const files = await resolveListingFiles(tx, agencyId, input.files);
    assertDistinctFiles(files.map((file) => file.id));
    const outcome = planPublication(input.status, files);
    // Locked, so that parallel upserts see each other's status: a listing is published when it
    // becomes active, not again on every edit of an active one.
    const [before] = await tx
      .select({ status: listings.status })
      .from(listings)
      .where(and(eq(listings.agencyId, agencyId), eq(listings.externalId, input.externalId)))
      .for("update");
    const [listing] = await tx
      .insert(listings)
      .values({ agencyId, externalId: input.externalId, title: input.title, status: outcome.status })
      .onConflictDoUpdate({
        target: [listings.agencyId, listings.externalId],
        set: { title: input.title, status: outcome.status, updatedAt: sql`now()` },
      })
      .returning({ id: listings.id, created: sql<boolean>`(xmax = 0)` });
    if (!listing) throw new Error("listing row was not upserted");
    await tx.delete(listingFiles).where(eq(listingFiles.listingId, listing.id));
    if (files.length > 0) {
      await tx
        .insert(listingFiles)
        .values(files.map((file, position) => ({ listingId: listing.id, mediaId: file.id, position })));
    }
    const jobId = await settlePublication(tx, agencyId, listing.id, outcome);
    if (isPublication(before?.status, outcome.status)) {
      await recordEvent(tx, agencyId, "listing.published", { listingId: listing.id, externalId: input.externalId });
    }
    return {
      id: listing.id,
      externalId: input.externalId,
      status: outcome.status,
      ...(listing.created ? { created: true as const } : { updated: true as const }),
      ...(jobId === undefined ? {} : { jobId }),
      ...("publicErrorMessage" in outcome ? { publicErrorMessage: outcome.publicErrorMessage } : {}),
    };
  });
}

export async function getListing(deps: ListingReadDeps, agencyId: number, id: number): Promise<RestListing> {
  const row = await findListing(deps.db, agencyId, id);
  if (!row) throw new DomainError("LISTING_NOT_FOUND");
  const [listing] = await representListings(deps.db, [row]);
  if (!listing) throw new Error("listing was not represented");
  return listing;
}

export async function listListings(
  deps: ListingReadDeps,
  agencyId: number,
  query: { limit: number; cursor?: string },
): Promise<{ items: RestListing[]; nextCursor: string | null }> {
  const before = decodeCursor(query.cursor);
  const rows = await pageOfListings(deps.db, agencyId, {
    limit: query.limit + 1,
    ...(before === undefined ? {} : { before }),
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: await representListings(deps.db, page),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
  };
}

/** Deletes the listing (its files stay); a publication still waiting ends `failed`. */
export async function deleteListing(deps: ListingReadDeps, agencyId: number, id: number) {
  await deps.db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(listings)
      .where(and(eq(listings.id, id), eq(listings.agencyId, agencyId)))
      .returning({ id: listings.id });
    if (!deleted) throw new DomainError("LISTING_NOT_FOUND");
    await endPublishJob(tx, id, PUBLISH_CANCELLED_BY_DELETE);
  });
  return { deleted: true as const };
}

async function lockListing(tx: Transaction, agencyId: number, id: number) {
  const [listing] = await tx
    .select({ id: listings.id, externalId: listings.externalId })
    .from(listings)
    .where(and(eq(listings.id, id), eq(listings.agencyId, agencyId)))
    .for("update");
  if (!listing) throw new DomainError("LISTING_NOT_FOUND");
  return listing;
}

export async function linkListingExternalId(deps: ListingReadDeps, agencyId: number, id: number, externalId: string) {
  try {
    return await deps.db.transaction(async (tx) => {
      const listing = await lockListing(tx, agencyId, id);
      const holder = await findListingByExternalId(tx, agencyId, externalId);
      if (planLink(listing, externalId, holder ?? null, LISTING_LINK_ERRORS).action === "link") {
        await tx.update(listings).set({ externalId, updatedAt: sql`now()` }).where(eq(listings.id, id));
      }
      return { id, externalId, linked: true as const };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const holder = await findListingByExternalId(deps.db, agencyId, externalId);
    throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", holder ? { listingId: holder.id } : {});
  }
}

export async function unlinkListingExternalId(deps: ListingReadDeps, agencyId: number, id: number) {
  return deps.db.transaction(async (tx) => {
    const listing = await lockListing(tx, agencyId, id);
    const { externalId } = planUnlink(listing, LISTING_LINK_ERRORS);
    await tx.update(listings).set({ externalId: null, updatedAt: sql`now()` }).where(eq(listings.id, id));
    return { id, externalId, unlinked: true as const };
  });
}
