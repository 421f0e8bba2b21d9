import { recordEvent, schema, type Transaction, wakeListingsWaitingOn } from "@darkroom/db";
import { eq, type SQL, sql } from "drizzle-orm";

const { media } = schema;

/**
 * Makes a file `failed` with `reason`, in the caller's transaction, when it exists (and `still`
 * holds, e.g. its generation and state): the listings waiting on it are woken and `media.failed` is
 * recorded with the change. Answers whether the file was changed.
 */
export async function markMediaFailed(tx: Transaction, mediaId: number, reason: string, still?: SQL): Promise<boolean> {
  const [failed] = await tx
    .update(media)
    .set({ optimization: "failed", optimizationError: reason, updatedAt: sql`now()` })
    .where(still ? sql`${eq(media.id, mediaId)} and ${still}` : eq(media.id, mediaId))
    .returning({ agencyId: media.agencyId, externalId: media.externalId });
  if (!failed) return false;
  await wakeListingsWaitingOn(tx, mediaId);
  await recordEvent(tx, failed.agencyId, "media.failed", { mediaId, externalId: failed.externalId, error: reason });
  return true;
}
