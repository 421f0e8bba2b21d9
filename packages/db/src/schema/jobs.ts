import { index, integer, jsonb, pgEnum, pgTable, text } from "drizzle-orm/pg-core";
import { agencies } from "./agencies.ts";
import { createdAt, id, updatedAt } from "./columns.ts";

export const clientJobStatus = pgEnum("client_job_status", [
  "pending",
  "processing",
  "completed",
  "failed",
  "failed_retryable",
]);

/**
 * Background work a client started and may poll (`GET /job/status`): URL imports, listing
 * publications. Scoped to the agency; the graphile-worker job that does the work is separate.
 */
export const clientJobs = pgTable(
  "client_jobs",
  {
    id: id(),
    agencyId: integer("agency_id")
      .notNull()
      .references(() => agencies.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    status: clientJobStatus("status").notNull().default("pending"),
    mediaId: integer("media_id"),
    listingId: integer("listing_id"),
    resultData: jsonb("result_data"),
    publicErrorMessage: text("public_error_message"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("client_jobs_agency_idx").on(t.agencyId, t.id),
    // A listing's open publication job is looked up whenever one of its files ends its optimization.
    index("client_jobs_listing_idx").on(t.listingId),
  ],
);
