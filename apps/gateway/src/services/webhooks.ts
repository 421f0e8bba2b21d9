import { type Database, schema } from "@darkroom/db";
import {
  DomainError,
  MAX_WEBHOOKS_PER_AGENCY,
  newWebhookSecret,
  parseWebhookInput,
  ValidationError,
  type WebhookEventType,
} from "@darkroom/domain";
import { and, asc, count, eq } from "drizzle-orm";
import { assertReachable } from "./outbound.ts";

const { agencies, webhooks } = schema;

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
    const [agency] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, agencyId)).for("update");
    if (!agency) return undefined;
    const [existing] = await tx.select({ n: count() }).from(webhooks).where(eq(webhooks.agencyId, agencyId));
    if ((existing?.n ?? 0) >= MAX_WEBHOOKS_PER_AGENCY) {
      throw new ValidationError([`an agency may have at most ${MAX_WEBHOOKS_PER_AGENCY} webhooks`]);
    }
    const secret = newWebhookSecret();
    const [row] = await tx
      .insert(webhooks)
      .values({ agencyId, url: input.url, events: input.events, secret })
      .returning({ id: webhooks.id });
    if (!row) throw new Error("webhook row was not inserted");
    return { id: row.id, url: input.url, events: input.events, secret };
  });
}

/** The agency's webhooks, oldest first, without their secrets. */
export async function listWebhooks(deps: Pick<WebhookDeps, "db">, agencyId: number) {
  const rows = await deps.db
    .select({ id: webhooks.id, url: webhooks.url, events: webhooks.events, createdAt: webhooks.createdAt })
    .from(webhooks)
    .where(eq(webhooks.agencyId, agencyId))
    .orderBy(asc(webhooks.id));
  return { items: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })) };
}

/**
 * Deletes a webhook (of `agencyId`, or of any agency when it is null: the operator's CLI), and its
 * pending deliveries with it. Another agency's webhook answers like a missing one.
 */
export async function deleteWebhook(deps: Pick<WebhookDeps, "db">, agencyId: number | null, id: number) {
  const deleted = await deps.db
    .delete(webhooks)
    .where(agencyId === null ? eq(webhooks.id, id) : and(eq(webhooks.id, id), eq(webhooks.agencyId, agencyId)))
    .returning({ id: webhooks.id });
  if (deleted.length === 0) throw new DomainError("WEBHOOK_NOT_FOUND");
  return { deleted: true as const };
}
