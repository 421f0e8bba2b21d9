import { webhookRepository } from "@darkroom/db";
import { deliveryRetentionCutoff, WEBHOOK_MAX_ATTEMPTS } from "@darkroom/domain";
import type { Task } from "graphile-worker";
import type { TaskContext } from "./context.ts";

/** Runs every hour (crontab): the outbox keeps ended deliveries for a week, then forgets them. */
export const PRUNE_DELIVERIES_CRONTAB = "17 * * * * prune_webhook_deliveries";

/** Deletes deliveries that ended (delivered, or out of attempts) more than the retention period ago. */
export function pruneWebhookDeliveries(context: TaskContext): Task {
  return async () => {
    await webhookRepository(context.db).pruneDeliveries(deliveryRetentionCutoff(new Date()), WEBHOOK_MAX_ATTEMPTS);
  };
}
