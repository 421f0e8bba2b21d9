import { randomBytes } from "node:crypto";
import { isUniqueViolation, mediaRepository } from "@darkroom/db";
import {
  DomainError,
  extensionFor,
  planUpload,
  type RestMedia,
  sanitizeFileName,
  sniffImageType,
} from "@darkroom/domain";
import { getMedia } from "./media.ts";
import { type MediaDeps, representOne } from "./media-store.ts";
import type { SpooledFile } from "./spool.ts";

/** A random, unguessable prefix for every stored object of one file. */
export function newStoragePrefix(): string {
  return `m/${randomBytes(18).toString("base64url")}`;
}

export interface UploadResult {
  /** 201 for a new file; 200 for a byte-identical retry that answers with the existing file. */
  status: 201 | 200;
  media: RestMedia;
}

async function existing(deps: MediaDeps, agencyId: number, id: number): Promise<UploadResult> {
  return { status: 200, media: await getMedia(deps, agencyId, id) };
}

/**
 * Stores a spooled upload as a new file of the agency and queues its optimization in the statement
 * that inserts its row. The type is sniffed from the bytes. Nothing is left stored when refused.
 * `declaredName` is the file name the client sent (kept sanitized, see `sanitizeFileName`).
 */
export async function storeUpload(
  deps: MediaDeps,
  agencyId: number,
  file: SpooledFile,
  externalId: string | undefined,
  declaredName?: string,
): Promise<UploadResult> {
  const contentType = await sniffImageType(file.head);
  if (!contentType) throw new DomainError("UNSUPPORTED_FILE_TYPE");

  if (externalId !== undefined) {
    const plan = planUpload(file.sha256, await mediaRepository(deps.db).holderOf(agencyId, externalId));
    if (plan.action === "reuse") return existing(deps, agencyId, plan.mediaId);
  }

  const storagePrefix = newStoragePrefix();
  const originalKey = `${storagePrefix}/original.${extensionFor(contentType)}`;
  await deps.storage.putFile(originalKey, file.path, { contentType, size: file.size, move: true });
  try {
    // The row and the job that optimizes it, in one prepared statement (one round trip).
    const row = await mediaRepository(deps.db).insertAndQueue({
      agencyId,
      externalId: externalId ?? null,
      size: file.size,
      contentType,
      sha256: file.sha256,
      storagePrefix,
      originalKey,
      fileName: sanitizeFileName(declaredName),
    });
    return { status: 201, media: await representOne(deps, row) };
  } catch (error) {
    await deps.storage.deletePrefix(storagePrefix);
    if (externalId === undefined || !isUniqueViolation(error)) throw error;
    // Another upload took the external ID meanwhile: the same rule decides again.
    const plan = planUpload(file.sha256, await mediaRepository(deps.db).holderOf(agencyId, externalId));
    if (plan.action === "reuse") return existing(deps, agencyId, plan.mediaId);
    throw new DomainError("EXTERNAL_ID_ALREADY_LINKED");
  }
}
