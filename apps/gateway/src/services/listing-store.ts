import { type Database, schema, type Transaction } from "@darkroom/db";
import { isListingStatus, type ListingRecord, type RestListing, toRestListing } from "@darkroom/domain";
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";

const { listings, listingFiles, media } = schema;

export interface ListingReadDeps {
  db: Database;
}

export type ListingRow = typeof listings.$inferSelect;

export async function findListing(
  db: Database | Transaction,
  agencyId: number,
  id: number,
): Promise<ListingRow | undefined> {
  const [row] = await db
    .select()
    .from(listings)
    .where(and(eq(listings.id, id), eq(listings.agencyId, agencyId)));
  return row;
}

export async function findListingByExternalId(db: Database | Transaction, agencyId: number, externalId: string) {
  const [row] = await db
    .select({ id: listings.id, externalId: listings.externalId })
    .from(listings)
    .where(and(eq(listings.agencyId, agencyId), eq(listings.externalId, externalId)));
  return row;
}

export async function pageOfListings(
  db: Database,
  agencyId: number,
  options: { limit: number; before?: number },
): Promise<ListingRow[]> {
  return db
    .select()
    .from(listings)
    .where(
      and(eq(listings.agencyId, agencyId), options.before === undefined ? undefined : lt(listings.id, options.before)),
    )
    .orderBy(desc(listings.id))
    .limit(options.limit);
}

function listingRecord(row: ListingRow): ListingRecord {
  if (!isListingStatus(row.status)) throw new Error(`listing ${row.id} has an unknown status "${row.status}"`);
  return { ...row, status: row.status };
}

/** The REST listings of `rows`, with the files of all of them loaded in one statement, in order. */
export async function representListings(db: Database, rows: ListingRow[]): Promise<RestListing[]> {
  const files =
    rows.length === 0
      ? []
      : await db
          .select({
            listingId: listingFiles.listingId,
            id: media.id,
            externalId: media.externalId,
            contentType: media.contentType,
            size: media.size,
            optimization: media.optimization,
          })
          .from(listingFiles)
          .innerJoin(media, eq(media.id, listingFiles.mediaId))
          .where(
            inArray(
              listingFiles.listingId,
              rows.map((row) => row.id),
            ),
          )
          .orderBy(asc(listingFiles.listingId), asc(listingFiles.position));
  return rows.map((row) =>
    toRestListing(
      listingRecord(row),
      files.filter((file) => file.listingId === row.id),
    ),
  );
}
