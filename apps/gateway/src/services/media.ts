import {
  addJob,
  afterFileDeleted,
  isUniqueViolation,
  listingsHolding,
  mediaRepository,
  queueOptimization,
  recordEvent,
} from "@darkroom/db";
import {
  DomainError,
  decodeCursor,
  type OptimizationStatus,
  pageOf,
  planLink,
  planUnlink,
  type RestMedia,
} from "@darkroom/domain";
import { type MediaDeps, type MediaRow, readMedia, representMedia, representOne } from "./media-store.ts";

/** A file of the caller's agency; another agency's file answers exactly like a missing one. */
export async function requireMedia(deps: MediaDeps, agencyId: number, id: number): Promise<MediaRow> {
  const row = await mediaRepository(deps.db).find(agencyId, id);
  if (!row) throw new DomainError("FILE_NOT_FOUND");
  return row;
}

export async function requireMediaByExternalId(deps: MediaDeps, agencyId: number, externalId: string) {
  const row = await mediaRepository(deps.db).findByExternalId(agencyId, externalId);
  if (!row) throw new DomainError("FILE_NOT_FOUND");
  return row;
}

export async function getMedia(deps: MediaDeps, agencyId: number, id: number): Promise<RestMedia> {
  const found = await readMedia(deps, agencyId, id);
  if (!found) throw new DomainError("FILE_NOT_FOUND");
  return found;
}

export async function getMediaByExternalId(deps: MediaDeps, agencyId: number, externalId: string) {
  return representOne(deps, await requireMediaByExternalId(deps, agencyId, externalId));
}

export async function listMedia(
  deps: MediaDeps,
  agencyId: number,
  query: { limit: number; cursor?: string; optimization?: OptimizationStatus },
): Promise<{ items: RestMedia[]; nextCursor: string | null }> {
  const before = decodeCursor(query.cursor);
  const rows = await mediaRepository(deps.db).page(agencyId, {
    limit: query.limit + 1,
    ...(before === undefined ? {} : { before }),
    ...(query.optimization === undefined ? {} : { optimization: query.optimization }),
  });
  const { page, nextCursor } = pageOf(rows, query.limit);
  return { items: await representMedia(deps, page), nextCursor };
}

export type MediaSelector = { id: number } | { externalId: string };

/**
 * Deletes a file at once: its row, its variants and its place in every listing go in one
 * transaction, together with the job that removes its stored objects (retried until storage answers).
 * The listings that held it follow the rule for a removed file (an active one left with fewer than 3
 * files waits again; a waiting one is evaluated again).
 */
export async function deleteMedia(deps: MediaDeps, agencyId: number, selector: MediaSelector) {
  return deps.db.transaction(async (tx) => {
    const files = mediaRepository(tx);
    // Locked first, so that no listing takes the file between the next two statements.
    const file = await files.lock(agencyId, selector);
    if (!file) throw new DomainError("FILE_NOT_FOUND");
    const holding = await listingsHolding(tx, agencyId, file.id);
    await files.delete(file.id);
    await afterFileDeleted(tx, agencyId, holding);
    await addJob(tx, "remove_objects", { prefixes: [file.storagePrefix] });
    await recordEvent(tx, agencyId, "media.deleted", { mediaId: file.id, externalId: file.externalId });
    return { mediaId: file.id };
  });
}

export async function linkExternalId(deps: MediaDeps, agencyId: number, id: number, externalId: string) {
  try {
    return await deps.db.transaction(async (tx) => {
      const files = mediaRepository(tx);
      const file = await files.lock(agencyId, { id });
      if (!file) throw new DomainError("FILE_NOT_FOUND");
      const holder = await files.holderOf(agencyId, externalId);
      if (planLink(file, externalId, holder).action === "link") {
        await files.setExternalId(id, externalId);
      }
      return { mediaId: id, externalId, linked: true as const };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const holder = await mediaRepository(deps.db).holderOf(agencyId, externalId);
    throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", holder ? { mediaId: holder.id } : {});
  }
}

export async function unlinkExternalId(deps: MediaDeps, agencyId: number, id: number) {
  return deps.db.transaction(async (tx) => {
    const files = mediaRepository(tx);
    const file = await files.lock(agencyId, { id });
    if (!file) throw new DomainError("FILE_NOT_FOUND");
    const { externalId } = planUnlink(file);
    await files.setExternalId(id, null);
    return { mediaId: id, externalId, unlinked: true as const };
  });
}

/** Queues the file's optimization again; the current variants stay until the new set replaces them. */
export async function reoptimizeMedia(deps: MediaDeps, agencyId: number, id: number): Promise<RestMedia> {
  const row = await deps.db.transaction(async (tx) => {
    const updated = await mediaRepository(tx).requestOptimization(agencyId, id);
    if (!updated) throw new DomainError("FILE_NOT_FOUND");
    await queueOptimization(tx, updated);
    return updated;
  });
  return representOne(deps, row);
}
