import { createHash } from "node:crypto";
import { isUniqueViolation, mediaRepository, pendingUploadRepository, queueOptimization } from "@darkroom/db";
import {
  assertDirectUploadStored,
  DIRECT_UPLOAD_TTL_SECONDS,
  DomainError,
  directUploadExpiry,
  extensionFor,
  isDirectUploadExpired,
  parseDirectUpload,
  planUpload,
  SNIFF_BYTES,
  sniffImageType,
} from "@darkroom/domain";
import { getMedia, requireMedia } from "./media.ts";
import { type MediaDeps, representOne } from "./media-store.ts";
import { newStoragePrefix } from "./upload.ts";

export interface DirectUploadDeps extends MediaDeps {
  maxUploadBytes: number;
}

function holderOf(deps: MediaDeps, agencyId: number, externalId: string) {
  return mediaRepository(deps.db).holderOf(agencyId, externalId);
}

/**
 * Signs a URL the client PUTs the bytes to, valid 30 minutes, for exactly the declared type and size.
 * The media id is reserved now; the file stays invisible until the upload is completed.
 */
export async function createUploadUrl(
  deps: DirectUploadDeps,
  agencyId: number,
  input: { contentType: unknown; size: unknown; externalId: string | undefined; fileName?: unknown },
) {
  const { contentType, size, fileName } = parseDirectUpload(input);
  if (size > deps.maxUploadBytes) throw new DomainError("FILE_TOO_LARGE");
  if (input.externalId !== undefined) {
    const holder = await holderOf(deps, agencyId, input.externalId);
    if (holder) throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", { mediaId: holder.id });
  }
  const storagePrefix = newStoragePrefix();
  const objectKey = `${storagePrefix}/original.${extensionFor(contentType)}`;
  const expiresAt = directUploadExpiry(new Date());
  const mediaId = await mediaRepository(deps.db).reserveId();
  await pendingUploadRepository(deps.db).insert({
    mediaId,
    agencyId,
    externalId: input.externalId ?? null,
    fileName,
    contentType,
    size,
    storagePrefix,
    objectKey,
    expiresAt,
  });
  const signed = await deps.storage.presignPut(objectKey, {
    contentType,
    size,
    expiresInSeconds: DIRECT_UPLOAD_TTL_SECONDS,
  });
  return {
    mediaId,
    uploadUrl: signed.url,
    method: "PUT" as const,
    headers: signed.headers,
    expiresAt: expiresAt.toISOString(),
  };
}

/** SHA-256 and first bytes of a stored object, read once as a stream. */
async function inspectObject(deps: MediaDeps, key: string) {
  const hash = createHash("sha256");
  const head: Buffer[] = [];
  let headLength = 0;
  for await (const chunk of (await deps.storage.get(key)) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (headLength < SNIFF_BYTES) {
      head.push(chunk.subarray(0, SNIFF_BYTES - headLength));
      headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
    }
  }
  return { sha256: hash.digest("hex"), head: Buffer.concat(head) };
}

/**
 * Completes a direct upload: checks the stored object (size, type sniffed from its bytes), then makes
 * the file visible and queues its optimization in one transaction. Completing twice answers the file.
 */
export async function completeUpload(deps: MediaDeps, agencyId: number, mediaId: number) {
  const pending = await pendingUploadRepository(deps.db).find(agencyId, mediaId);
  if (!pending) return getMedia(deps, agencyId, mediaId);
  if (isDirectUploadExpired(pending.expiresAt, new Date())) throw new DomainError("FILE_NOT_FOUND");

  const stored = await deps.storage.head(pending.objectKey);
  assertDirectUploadStored(stored, pending.size);
  const { sha256, head } = await inspectObject(deps, pending.objectKey);
  const sniffed = await sniffImageType(head);
  if (!sniffed) {
    await discard(deps, pending.mediaId, pending.storagePrefix);
    throw new DomainError("UNSUPPORTED_FILE_TYPE");
  }
  if (pending.externalId !== null) {
    const plan = planUpload(sha256, await holderOf(deps, agencyId, pending.externalId));
    if (plan.action === "reuse") {
      await discard(deps, pending.mediaId, pending.storagePrefix);
      return getMedia(deps, agencyId, plan.mediaId);
    }
  }
  try {
    const row = await deps.db.transaction(async (tx) => {
      const claimed = await pendingUploadRepository(tx).delete(mediaId);
      if (!claimed) return undefined; // a concurrent completion won
      const inserted = await mediaRepository(tx).insertReserved(mediaId, {
        agencyId,
        externalId: pending.externalId,
        size: stored.size,
        contentType: sniffed,
        sha256,
        storagePrefix: pending.storagePrefix,
        originalKey: pending.objectKey,
        fileName: pending.fileName,
      });
      await queueOptimization(tx, inserted);
      return inserted;
    });
    return representOne(deps, row ?? (await requireMedia(deps, agencyId, mediaId)));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await discard(deps, pending.mediaId, pending.storagePrefix);
    const holder = pending.externalId === null ? null : await holderOf(deps, agencyId, pending.externalId);
    throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", holder ? { mediaId: holder.id } : {});
  }
}

async function discard(deps: MediaDeps, mediaId: number, storagePrefix: string) {
  await pendingUploadRepository(deps.db).delete(mediaId);
  await deps.storage.deletePrefix(storagePrefix);
}
