import {
  type Database,
  endPublishJob,
  isUniqueViolation,
  type ListingRepository,
  type ListingRow,
  listingRepository,
  recordEvent,
  settlePublication,
} from "@darkroom/db";
import {
  assertDistinctFiles,
  DomainError,
  decodeCursor,
  isListingStatus,
  isPublication,
  LISTING_LINK_ERRORS,
  type ListingInput,
  type ListingRecord,
  type ListingStatus,
  PUBLISH_CANCELLED_BY_DELETE,
  pageOf,
  planLink,
  planPublication,
  planUnlink,
  type RestListing,
  toRestListing,
} from "@darkroom/domain";
import { checkImportSources, resolveListingFiles } from "./listing-files.ts";

export interface ListingReadDeps {
  db: Database;
}

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
    const listings = listingRepository(tx);
    // Locked, so that parallel upserts see each other's status: a listing is published when it
    // becomes active, not again on every edit of an active one.
    const before = await listings.lockStatusByExternalId(agencyId, input.externalId);
    const listing = await listings.upsert(agencyId, {
      externalId: input.externalId,
      title: input.title,
      status: outcome.status,
    });
    await listings.replaceFiles(
      listing.id,
      files.map((file) => file.id),
    );
    const jobId = await settlePublication(tx, agencyId, listing.id, outcome);
    if (isPublication(before, outcome.status)) {
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

function listingRecord(row: ListingRow): ListingRecord {
  if (!isListingStatus(row.status)) throw new Error(`listing ${row.id} has an unknown status "${row.status}"`);
  return { ...row, status: row.status };
}

/** The REST listings of `rows`, with the files of all of them loaded in one statement, in order. */
async function representListings(db: Database, rows: ListingRow[]): Promise<RestListing[]> {
  const files = await listingRepository(db).filesOf(rows.map((row) => row.id));
  return rows.map((row) =>
    toRestListing(
      listingRecord(row),
      files.filter((file) => file.listingId === row.id),
    ),
  );
}

export async function getListing(deps: ListingReadDeps, agencyId: number, id: number): Promise<RestListing> {
  const row = await listingRepository(deps.db).find(agencyId, id);
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
  const rows = await listingRepository(deps.db).page(agencyId, {
    limit: query.limit + 1,
    ...(before === undefined ? {} : { before }),
  });
  const { page, nextCursor } = pageOf(rows, query.limit);
  return { items: await representListings(deps.db, page), nextCursor };
}

/** Deletes the listing (its files stay); a publication still waiting ends `failed`. */
export async function deleteListing(deps: ListingReadDeps, agencyId: number, id: number) {
  await deps.db.transaction(async (tx) => {
    if (!(await listingRepository(tx).delete(agencyId, id))) throw new DomainError("LISTING_NOT_FOUND");
    await endPublishJob(tx, id, PUBLISH_CANCELLED_BY_DELETE);
  });
  return { deleted: true as const };
}

async function lockListing(listings: ListingRepository, agencyId: number, id: number) {
  const listing = await listings.lock(agencyId, id);
  if (!listing) throw new DomainError("LISTING_NOT_FOUND");
  return listing;
}

export async function linkListingExternalId(deps: ListingReadDeps, agencyId: number, id: number, externalId: string) {
  try {
    return await deps.db.transaction(async (tx) => {
      const listings = listingRepository(tx);
      const listing = await lockListing(listings, agencyId, id);
      const holder = await listings.findByExternalId(agencyId, externalId);
      if (planLink(listing, externalId, holder ?? null, LISTING_LINK_ERRORS).action === "link") {
        await listings.setExternalId(id, externalId);
      }
      return { id, externalId, linked: true as const };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const holder = await listingRepository(deps.db).findByExternalId(agencyId, externalId);
    throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", holder ? { listingId: holder.id } : {});
  }
}

export async function unlinkListingExternalId(deps: ListingReadDeps, agencyId: number, id: number) {
  return deps.db.transaction(async (tx) => {
    const listings = listingRepository(tx);
    const listing = await lockListing(listings, agencyId, id);
    const { externalId } = planUnlink(listing, LISTING_LINK_ERRORS);
    await listings.setExternalId(id, null);
    return { id, externalId, unlinked: true as const };
  });
}
