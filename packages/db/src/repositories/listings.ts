import type { ListingStatus, PublicationFile } from "@darkroom/domain";
import { and, asc, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Database, Transaction } from "../client.ts";
import { listingFiles, listings } from "../schema/listings.ts";
import { media } from "../schema/media.ts";

export type ListingRow = typeof listings.$inferSelect;
type MediaRow = typeof media.$inferSelect;

/**
 * The statements of listings and their files, on `db`: the database, or a transaction's handle
 * (the methods that lock rows need one: their locks last until it ends). Answers rows of the
 * agency given, never another's.
 */
export function listingRepository(db: Database | Transaction) {
  return {
    async find(agencyId: number, id: number): Promise<ListingRow | undefined> {
      const [row] = await db
        .select()
        .from(listings)
        .where(and(eq(listings.id, id), eq(listings.agencyId, agencyId)));
      return row;
    },

    /** The agency's listings among `ids`, in no particular order (one statement). */
    async findMany(agencyId: number, ids: number[]): Promise<ListingRow[]> {
      return db
        .select()
        .from(listings)
        .where(and(inArray(listings.id, ids), eq(listings.agencyId, agencyId)));
    },

    async findByExternalId(agencyId: number, externalId: string) {
      const [row] = await db
        .select({ id: listings.id, externalId: listings.externalId })
        .from(listings)
        .where(and(eq(listings.agencyId, agencyId), eq(listings.externalId, externalId)));
      return row;
    },

    /** The agency's listings newest first, `limit` of them, older than `before` when given. */
    async page(agencyId: number, options: { limit: number; before?: number }): Promise<ListingRow[]> {
      return db
        .select()
        .from(listings)
        .where(
          and(
            eq(listings.agencyId, agencyId),
            options.before === undefined ? undefined : lt(listings.id, options.before),
          ),
        )
        .orderBy(desc(listings.id))
        .limit(options.limit);
    },

    /** The files of the listings `listingIds` as REST lists them, by listing and in its order (one statement). */
    async filesOf(listingIds: number[]) {
      if (listingIds.length === 0) return [];
      return db
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
        .where(inArray(listingFiles.listingId, listingIds))
        .orderBy(asc(listingFiles.listingId), asc(listingFiles.position));
    },

    /** The agency's files of the listings `listingIds`, whole rows, by listing and in its order (one statement). */
    async mediaOf(agencyId: number, listingIds: number[]): Promise<{ listingId: number; media: MediaRow }[]> {
      return db
        .select({ listingId: listingFiles.listingId, media })
        .from(listingFiles)
        .innerJoin(media, eq(media.id, listingFiles.mediaId))
        .where(and(inArray(listingFiles.listingId, listingIds), eq(media.agencyId, agencyId)))
        .orderBy(asc(listingFiles.listingId), asc(listingFiles.position));
    },

    /** The agency's listings holding each file among `mediaIds`, newest first (one statement). */
    async holdingMedia(agencyId: number, mediaIds: number[]): Promise<{ mediaId: number; listing: ListingRow }[]> {
      return db
        .select({ mediaId: listingFiles.mediaId, listing: listings })
        .from(listingFiles)
        .innerJoin(listings, eq(listings.id, listingFiles.listingId))
        .where(and(inArray(listingFiles.mediaId, mediaIds), eq(listings.agencyId, agencyId)))
        .orderBy(desc(listings.id));
    },

    /**
     * The files of the agency among `ids` and `externalIds`, locked (FOR SHARE) until the listing's
     * transaction ends. Against deletion: a file deleted meanwhile answers File not found here, or waits
     * for the listing and then leaves it like any deleted file. Against a lost wake-up: the transaction
     * that ends a file's optimization updates its row, then wakes the listings waiting on it; were this
     * lock weaker (FOR KEY SHARE), a listing could commit between the two, read the file as still
     * running, and never be woken. Here it either waits for that transaction and reads the file's end,
     * or holds the file until it commits, and is then woken.
     */
    async holdNamedFiles(agencyId: number, ids: number[], externalIds: string[]): Promise<PublicationFile[]> {
      if (ids.length === 0 && externalIds.length === 0) return [];
      return db
        .select({ id: media.id, externalId: media.externalId, optimization: media.optimization })
        .from(media)
        .where(
          and(
            eq(media.agencyId, agencyId),
            or(
              ids.length > 0 ? inArray(media.id, ids) : undefined,
              externalIds.length > 0 ? inArray(media.externalId, externalIds) : undefined,
            ),
          ),
        )
        .for("share");
    },

    /** The external IDs among `externalIds` that files of the agency carry. */
    async externalFileIdsTaken(agencyId: number, externalIds: string[]): Promise<Set<string | null>> {
      const held = await db
        .select({ externalId: media.externalId })
        .from(media)
        .where(and(eq(media.agencyId, agencyId), inArray(media.externalId, externalIds)));
      return new Set(held.map((row) => row.externalId));
    },

    /**
     * The status of the agency's listing with `externalId`, locked (FOR UPDATE), so that parallel
     * upserts see each other's status; undefined when there is none yet.
     */
    async lockStatusByExternalId(agencyId: number, externalId: string): Promise<string | undefined> {
      const [row] = await db
        .select({ status: listings.status })
        .from(listings)
        .where(and(eq(listings.agencyId, agencyId), eq(listings.externalId, externalId)))
        .for("update");
      return row?.status;
    },

    /** The agency's listing `id`, locked (FOR UPDATE); undefined when there is none. */
    async lock(agencyId: number, id: number) {
      const [row] = await db
        .select({ id: listings.id, externalId: listings.externalId })
        .from(listings)
        .where(and(eq(listings.id, id), eq(listings.agencyId, agencyId)))
        .for("update");
      return row;
    },

    /**
     * Creates the agency's listing with `values.externalId`, or updates its title and status:
     * parallel upserts of one listing make one row, and exactly one answers `created`.
     */
    async upsert(agencyId: number, values: { externalId: string; title: string; status: ListingStatus }) {
      const [row] = await db
        .insert(listings)
        .values({ agencyId, ...values })
        .onConflictDoUpdate({
          target: [listings.agencyId, listings.externalId],
          set: { title: values.title, status: values.status, updatedAt: sql`now()` },
        })
        .returning({ id: listings.id, created: sql<boolean>`(xmax = 0)` });
      if (!row) throw new Error("listing row was not upserted");
      return row;
    },

    /** The listing's files become `mediaIds`, in that order. */
    async replaceFiles(listingId: number, mediaIds: number[]): Promise<void> {
      await db.delete(listingFiles).where(eq(listingFiles.listingId, listingId));
      if (mediaIds.length > 0) {
        await db.insert(listingFiles).values(mediaIds.map((mediaId, position) => ({ listingId, mediaId, position })));
      }
    },

    async setExternalId(id: number, externalId: string | null): Promise<void> {
      await db.update(listings).set({ externalId, updatedAt: sql`now()` }).where(eq(listings.id, id));
    },

    /** Deletes the agency's listing `id` (its files stay); answers whether there was one. */
    async delete(agencyId: number, id: number): Promise<boolean> {
      const [deleted] = await db
        .delete(listings)
        .where(and(eq(listings.id, id), eq(listings.agencyId, agencyId)))
        .returning({ id: listings.id });
      return deleted !== undefined;
    },
  };
}

export type ListingRepository = ReturnType<typeof listingRepository>;
