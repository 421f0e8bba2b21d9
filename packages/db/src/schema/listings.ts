import { index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { agencies } from "./agencies.ts";
import { createdAt, id, updatedAt } from "./columns.ts";
import { media } from "./media.ts";

export const listings = pgTable(
  "listings",
  {
    id: id(),
    agencyId: integer("agency_id")
      .notNull()
      .references(() => agencies.id, { onDelete: "cascade" }),
    externalId: text("external_id"),
    title: text("title").notNull().default(""),
    status: text("status").notNull().default("draft"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("listings_agency_external_id_key").on(t.agencyId, t.externalId),
    index("listings_agency_id_idx").on(t.agencyId, t.id),
  ],
);

/** A listing's photos, in order. Deleting a file removes it from every listing (cascade). */
export const listingFiles = pgTable(
  "listing_files",
  {
    listingId: integer("listing_id")
      .notNull()
      .references(() => listings.id, { onDelete: "cascade" }),
    mediaId: integer("media_id")
      .notNull()
      .references(() => media.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.listingId, t.position] }), index("listing_files_media_idx").on(t.mediaId)],
);
