import { agencyRepository, type Database, webhookRepository } from "@darkroom/db";
import {
  assertRoomForWebhook,
  DomainError,
  newWebhookSecret,
  parseWebhookInput,
  type WebhookEventType,
} from "@darkroom/domain";
import { assertReachable } from "./outbound.ts";

export interface WebhookDeps {
  db: Database;
  outboundAllowHosts: readonly string[];
}

export interface CreatedWebhook {
  id: number;
  url: string;
  events: WebhookEventType[];
  /** Shown once: deliveries are signed with it. */
  secret: string;
}

/**
 * Adds a webhook to the agency: `{url, events}` validated, the URL's host checked like a URL
 * import's (no private address unless allowed), at most 10 per agency. Undefined when the agency
 * does not exist.
 */
export async function createWebhook(
  deps: WebhookDeps,
  agencyId: number,
  body: unknown,
): Promise<CreatedWebhook | undefined> {
  const input = parseWebhookInput(body);
  await assertReachable(new URL(input.url), deps.outboundAllowHosts);
  return deps.db.transaction(async (tx) => {
    // The agency's row is locked, so that parallel creations count one after the other.
    if (!(await agencyRepository(tx).lock(agencyId))) return undefined;
    const webhooks = webhookRepository(tx);
    assertRoomForWebhook(await webhooks.count(agencyId));
    const secret = newWebhookSecret();
    const id = await webhooks.insert({ agencyId, url: input.url, events: input.events, secret });
    return { id, url: input.url, events: input.events, secret };
  });
}

/** The agency's webhooks, oldest first, without their secrets. */
export async function listWebhooks(deps: Pick<WebhookDeps, "db">, agencyId: number) {
  const rows = await webhookRepository(deps.db).list(agencyId);
  return { items: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })) };
}

/**
 * Deletes a webhook (of `agencyId`, or of any agency when it is null: the operator's CLI), and its
 * pending deliveries with it. Another agency's webhook answers like a missing one.
 */
export async function deleteWebhook(deps: Pick<WebhookDeps, "db">, agencyId: number | null, id: number) {
  if (!(await webhookRepository(deps.db).delete(agencyId, id))) throw new DomainError("WEBHOOK_NOT_FOUND");
  return { deleted: true as const };
}
