import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { agencies } from "./agencies.ts";
import { createdAt, id } from "./columns.ts";

/**
 * An agency's webhook endpoints. The secret (`whsec_…`) is kept in clear: every delivery is signed
 * with it. It is shown to the client once, when the webhook is created.
 */
export const webhooks = pgTable(
  "webhooks",
  {
    id: id(),
    agencyId: integer("agency_id")
      .notNull()
      .references(() => agencies.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    events: text("events").array().notNull(),
    secret: text("secret").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhooks_agency_idx").on(t.agencyId, t.id)],
);

/**
 * The outbox: one row per event and webhook, written in the transaction of the change it reports,
 * with the `deliver_webhook` job that sends it. The event id and payload never change, so every
 * retry sends the same `webhook-id` and body.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    webhookId: integer("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    /** The Standard Webhooks message id (`msg_…`), shared by the deliveries of one event. */
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    /** The event's `data`. */
    payload: jsonb("payload").notNull(),
    attempts: integer("attempts").notNull().default(0),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_webhook_event_key").on(t.webhookId, t.eventId),
    index("webhook_deliveries_webhook_idx").on(t.webhookId, t.id),
  ],
);
