import { bigint, index, integer, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { agencies } from "./agencies.ts";
import { createdAt, id, updatedAt } from "./columns.ts";

export const optimizationStatus = pgEnum("optimization_status", ["pending", "in_progress", "success", "failed"]);

export const media = pgTable(
  "media",
  {
    id: id(),
    agencyId: integer("agency_id")
      .notNull()
      .references(() => agencies.id, { onDelete: "cascade" }),
    externalId: text("external_id"),
    size: bigint("size", { mode: "number" }).notNull(),
    contentType: text("content_type").notNull(),
    sha256: text("sha256").notNull(),
    /** Random, unguessable prefix under which every stored object of this file lives. */
    storagePrefix: text("storage_prefix").notNull().unique(),
    originalKey: text("original_key").notNull(),
    optimization: optimizationStatus("optimization").notNull().default("pending"),
    optimizationError: text("optimization_error"),
    /** Bumped by every (re-)optimization request; a job only writes the result of the newest one. */
    generation: integer("generation").notNull().default(1),
    blurhash: text("blurhash"),
    width: integer("width"),
    height: integer("height"),
    sourceUrl: text("source_url"),
    /** The name the file was uploaded or imported under, sanitized (`sanitizeFileName`); null if none. */
    fileName: text("file_name"),
    /**
     * When the photo was taken, from its EXIF (`capturedAtFromExif`): ISO 8601, with the camera's
     * offset when it wrote one, else a local time; set by optimization, null without a valid date.
     */
    capturedAt: text("captured_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("media_agency_external_id_key").on(t.agencyId, t.externalId),
    index("media_agency_id_idx").on(t.agencyId, t.id),
  ],
);

export const mediaVariants = pgTable(
  "media_variants",
  {
    mediaId: integer("media_id")
      .notNull()
      .references(() => media.id, { onDelete: "cascade" }),
    variantSize: text("variant_size").notNull(),
    key: text("key").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
  },
  (t) => [primaryKey({ columns: [t.mediaId, t.variantSize] })],
);
