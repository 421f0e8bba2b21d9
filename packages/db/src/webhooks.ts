import {
  newWebhookMessageId,
  WEBHOOK_MAX_ATTEMPTS,
  type WebhookEventData,
  type WebhookEventType,
} from "@darkroom/domain";
import { and, eq, sql } from "drizzle-orm";
import type { Transaction } from "./client.ts";
import { addJob } from "./jobs.ts";
import { webhookDeliveries, webhooks } from "./schema/webhooks.ts";

/**
 * The webhooks of the agency that listen to `type`, locked (key share) so that a webhook deleted
 * meanwhile is waited for, not referenced after it is gone. The first half of `recordEvent`.
 */
export async function webhooksListening(tx: Transaction, agencyId: number, type: WebhookEventType): Promise<number[]> {
  const listening = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.agencyId, agencyId), sql`${type} = any(${webhooks.events})`))
    .for("key share")
    .prepare("webhooks_listening")
    .execute();
  return listening.map((webhook) => webhook.id);
}

/**
 * One delivery row of the event per webhook of `listening` (from `webhooksListening`, in the same
 * transaction), each with its `deliver_webhook` job. The second half of `recordEvent`.
 */
export async function recordDeliveries<T extends WebhookEventType>(
  tx: Transaction,
  listening: number[],
  type: T,
  data: WebhookEventData[T],
): Promise<number[]> {
  if (listening.length === 0) return [];
  const eventId = newWebhookMessageId();
  const deliveries = await tx
    .insert(webhookDeliveries)
    .values(listening.map((webhookId) => ({ webhookId, eventId, type, payload: data })))
    .returning({ id: webhookDeliveries.id, webhookId: webhookDeliveries.webhookId });
  for (const delivery of deliveries) {
    // One queue per webhook: an endpoint that is slow or down holds one worker at a time, not all of them.
    await addJob(
      tx,
      "deliver_webhook",
      { deliveryId: delivery.id },
      { maxAttempts: WEBHOOK_MAX_ATTEMPTS, queueName: `webhook:${delivery.webhookId}` },
    );
  }
  return deliveries.map((delivery) => delivery.id);
}

/**
 * Records an event in the outbox, in the caller's transaction (the one that makes the change the
 * event reports): one delivery row per webhook of the agency that listens to `type`, each with its
 * `deliver_webhook` job. Rolled back with the change; sent only once it commits. Answers the
 * delivery ids (none when no webhook listens).
 */
export async function recordEvent<T extends WebhookEventType>(
  tx: Transaction,
  agencyId: number,
  type: T,
  data: WebhookEventData[T],
): Promise<number[]> {
  return recordDeliveries(tx, await webhooksListening(tx, agencyId, type), type, data);
}
