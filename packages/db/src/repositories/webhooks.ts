import type { WebhookEventType } from "@darkroom/domain";
import { and, asc, count, eq, gte, isNotNull, lt, or, sql } from "drizzle-orm";
import type { Database, Transaction } from "../client.ts";
import { webhookDeliveries, webhooks } from "../schema/webhooks.ts";

/**
 * The statements of webhooks and of their deliveries (the outbox rows `recordEvent` writes), on the
 * database or a transaction's handle. Methods given an agency answer its webhooks only.
 */
export function webhookRepository(db: Database | Transaction) {
  return {
    /** How many webhooks the agency has. */
    async count(agencyId: number): Promise<number> {
      const [existing] = await db.select({ n: count() }).from(webhooks).where(eq(webhooks.agencyId, agencyId));
      return existing?.n ?? 0;
    },

    /** A new webhook; answers its id. */
    async insert(webhook: { agencyId: number; url: string; events: WebhookEventType[]; secret: string }) {
      const [row] = await db.insert(webhooks).values(webhook).returning({ id: webhooks.id });
      if (!row) throw new Error("webhook row was not inserted");
      return row.id;
    },

    /** The agency's webhooks, oldest first, without their secrets. */
    async list(agencyId: number) {
      return db
        .select({ id: webhooks.id, url: webhooks.url, events: webhooks.events, createdAt: webhooks.createdAt })
        .from(webhooks)
        .where(eq(webhooks.agencyId, agencyId))
        .orderBy(asc(webhooks.id));
    },

    /**
     * Deletes webhook `id` (of `agencyId`, or of any agency when it is null), and its deliveries with
     * it; false when there is no such webhook.
     */
    async delete(agencyId: number | null, id: number): Promise<boolean> {
      const deleted = await db
        .delete(webhooks)
        .where(agencyId === null ? eq(webhooks.id, id) : and(eq(webhooks.id, id), eq(webhooks.agencyId, agencyId)))
        .returning({ id: webhooks.id });
      return deleted.length > 0;
    },

    /** A delivery and the endpoint it goes to; undefined when it (or its webhook) was deleted. */
    async delivery(deliveryId: number) {
      const [delivery] = await db
        .select({
          eventId: webhookDeliveries.eventId,
          type: webhookDeliveries.type,
          data: webhookDeliveries.payload,
          createdAt: webhookDeliveries.createdAt,
          deliveredAt: webhookDeliveries.deliveredAt,
          url: webhooks.url,
          secret: webhooks.secret,
        })
        .from(webhookDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
        .where(eq(webhookDeliveries.id, deliveryId));
      return delivery;
    },

    /** Counts an attempt of the delivery: delivered now without `failure`, else failed with it. */
    async recordAttempt(deliveryId: number, failure: string | undefined): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set({
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          lastError: failure ?? null,
          ...(failure === undefined ? { deliveredAt: sql`now()` } : {}),
        })
        .where(eq(webhookDeliveries.id, deliveryId));
    },

    /** Deletes the deliveries created before `cutoff` that ended: delivered, or `maxAttempts` made. */
    async pruneDeliveries(cutoff: Date, maxAttempts: number): Promise<void> {
      await db
        .delete(webhookDeliveries)
        .where(
          and(
            lt(webhookDeliveries.createdAt, cutoff),
            or(isNotNull(webhookDeliveries.deliveredAt), gte(webhookDeliveries.attempts, maxAttempts)),
          ),
        );
    },
  };
}

export type WebhookRepository = ReturnType<typeof webhookRepository>;
