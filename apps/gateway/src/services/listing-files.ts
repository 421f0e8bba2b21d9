import { type Database, listingRepository, type Transaction } from "@darkroom/db";
import { DomainError, type ListingFileRef, type PublicationFile, ValidationError } from "@darkroom/domain";
import { queueImport } from "./import.ts";
import { assertReachable } from "./outbound.ts";

/**
 * The files a listing names. `{id}` and `{externalFileId}` are files of the agency (another
 * agency's file answers like a missing one). `{url, externalFileId}` is the agency's file carrying
 * that external ID, else an import written by `queueImport` in the listing's own transaction: a PUT
 * that fails leaves no imported file behind, and one that succeeds has its downloads queued with it.
 */

type ImportRef = Extract<ListingFileRef, { url: string }>;

/**
 * The files a listing names, in order: `{id}` and `{externalFileId}` must be files of the agency;
 * `{url, externalFileId}` is the agency's file carrying that external ID, else a new import written
 * in this transaction (in external-ID order, so that two listings importing the same files cannot
 * deadlock).
 */
export async function resolveListingFiles(
  tx: Transaction,
  agencyId: number,
  refs: ListingFileRef[],
): Promise<PublicationFile[]> {
  const ids = refs.flatMap((ref) => ("id" in ref ? [ref.id] : []));
  const externalIds = refs.flatMap((ref) => ("externalFileId" in ref ? [ref.externalFileId] : []));
  // Locked FOR SHARE until the transaction ends: against deletion and lost wake-ups (see holdNamedFiles).
  const repository = listingRepository(tx);
  const found = await repository.holdNamedFiles(agencyId, ids, externalIds);
  const byId = new Map(found.map((file) => [file.id, file]));
  const byExternalId = new Map(found.map((file) => [file.externalId, file]));

  const imports = refs
    .filter((ref): ref is ImportRef => "url" in ref && !byExternalId.has(ref.externalFileId))
    .sort((a, b) => (a.externalFileId < b.externalFileId ? -1 : 1));
  for (const ref of imports) {
    const queued = await queueImport(tx, agencyId, ref.url, ref.externalFileId);
    // Null when a concurrent request has just given the external ID to a file: that file is reused.
    const [file] = queued
      ? [{ id: queued.mediaId, externalId: ref.externalFileId, optimization: "pending" as const }]
      : await repository.holdNamedFiles(agencyId, [], [ref.externalFileId]);
    if (file) byExternalId.set(ref.externalFileId, file);
  }

  return refs.map((ref) => {
    const file = "id" in ref ? byId.get(ref.id) : byExternalId.get(ref.externalFileId);
    if (!file) throw new DomainError("FILE_NOT_FOUND");
    return file;
  });
}

/**
 * The address check of the URLs to import, before the transaction (no DNS lookup holds it open),
 * with every refusal listed. A URL whose external ID a file already carries is not imported, so not
 * checked; the optimizer's download checks every address again anyway.
 */
export async function checkImportSources(
  deps: { db: Database; outboundAllowHosts: readonly string[] },
  agencyId: number,
  refs: ListingFileRef[],
) {
  const sources = refs.flatMap((ref, index) => ("url" in ref ? [{ ref, index }] : []));
  if (sources.length === 0) return;
  const heldIds = await listingRepository(deps.db).externalFileIdsTaken(
    agencyId,
    sources.map(({ ref }) => ref.externalFileId),
  );
  const checks = await Promise.allSettled(
    sources
      .filter(({ ref }) => !heldIds.has(ref.externalFileId))
      .map(({ ref, index }) => assertReachable(new URL(ref.url), deps.outboundAllowHosts, `files[${index}].url`)),
  );
  const problems: string[] = [];
  for (const check of checks) {
    if (check.status === "fulfilled") continue;
    if (!(check.reason instanceof ValidationError)) throw check.reason;
    problems.push(...check.reason.problems);
  }
  if (problems.length > 0) throw new ValidationError(problems);
}
