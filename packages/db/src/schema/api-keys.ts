import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { agencies } from "./agencies.ts";
import { createdAt, id } from "./columns.ts";

/** API keys are stored only as a SHA-256 hash; the plain key is shown once, when it is created. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    agencyId: integer("agency_id")
      .notNull()
      .references(() => agencies.id, { onDelete: "cascade" }),
    keyHash: text("key_hash").notNull().unique(),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("api_keys_agency_idx").on(t.agencyId)],
);
