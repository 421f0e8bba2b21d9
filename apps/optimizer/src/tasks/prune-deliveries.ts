import { schema } from "@darkroom/db";
import { WEBHOOK_DELIVERY_RETENTION_DAYS, WEBHOOK_MAX_ATTEMPTS } from "@darkroom/domain";
import { and, gte, isNotNull, lt, or } from "drizzle-orm";
import type { Task } from "graphile-worker";
import type { TaskContext } from "./context.ts";

const { webhookDeliveries } = schema;

/** Runs every hour (crontab): the outbox keeps ended deliveries for a week, then forgets them. */
export const PRUNE_DELIVERIES_CRONTAB = "17 * * * * prune_webhook_deliveries";

/** Deletes deliveries that ended (delivered, or out of attempts) more than the retention period ago. */
export function pruneWebhookDeliveries(context: TaskContext): Task {
  return async () => {
    const cutoff = new Date(Date.now() - WEBHOOK_DELIVERY_RETENTION_DAYS * 24 * 60 * 60 * 1000);
    await context.db
      .delete(webhookDeliveries)
      .where(
        and(
          lt(webhookDeliveries.createdAt, cutoff),
          or(isNotNull(webhookDeliveries.deliveredAt), gte(webhookDeliveries.attempts, WEBHOOK_MAX_ATTEMPTS)),
        ),
      );
  };
}
