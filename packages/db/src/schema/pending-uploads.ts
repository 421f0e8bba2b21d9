import { bigint, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { agencies } from "./agencies.ts";
import { createdAt } from "./columns.ts";

/**
 * A direct upload announced with `POST /media/upload-url` and not completed yet. The media id is
 * reserved from the media sequence; the file becomes visible (a media row with that id) only when
 * the client completes the upload. Expired ones are removed with their object.
 */
export const pendingUploads = pgTable(
  "pending_uploads",
  {
    mediaId: integer("media_id").primaryKey(),
    agencyId: integer("agency_id")
      .notNull()
      .references(() => agencies.id, { onDelete: "cascade" }),
    externalId: text("external_id"),
    /** The file name the client declared, sanitized; null if none. */
    fileName: text("file_name"),
    contentType: text("content_type").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    storagePrefix: text("storage_prefix").notNull(),
    objectKey: text("object_key").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("pending_uploads_expires_idx").on(t.expiresAt)],
);
