import { optimizationRepository, recordEvent, type Transaction, wakeListingsWaitingOn } from "@darkroom/db";
import type { OptimizationStatus } from "@darkroom/domain";

/**
 * Makes a file `failed` with `reason`, in the caller's transaction, when it exists (and, given
 * `still`, is still at that generation and in one of those states): the listings waiting on it are
 * woken and `media.failed` is recorded with the change. Answers whether the file was changed.
 */
export async function markMediaFailed(
  tx: Transaction,
  mediaId: number,
  reason: string,
  still?: { generation: number; optimization: readonly OptimizationStatus[] },
): Promise<boolean> {
  const failed = await optimizationRepository(tx).markFailed(mediaId, reason, still);
  if (!failed) return false;
  await wakeListingsWaitingOn(tx, mediaId);
  await recordEvent(tx, failed.agencyId, "media.failed", { mediaId, externalId: failed.externalId, error: reason });
  return true;
}
