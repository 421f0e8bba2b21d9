import { createHash } from "node:crypto";
import { isUniqueViolation, queueOptimization, schema } from "@darkroom/db";
import {
  DIRECT_UPLOAD_TTL_SECONDS,
  DomainError,
  extensionFor,
  parseDirectUpload,
  planUpload,
  SNIFF_BYTES,
  sniffImageType,
  ValidationError,
} from "@darkroom/domain";
import { and, eq, sql } from "drizzle-orm";
import { getMedia, requireMedia } from "./media.ts";
import { type MediaDeps, representOne } from "./media-store.ts";
import { newStoragePrefix } from "./upload.ts";

const { media, pendingUploads } = schema;

export interface DirectUploadDeps extends MediaDeps {
  maxUploadBytes: number;
}

async function holderOf(deps: MediaDeps, agencyId: number, externalId: string) {
  const [holder] = await deps.db
    .select({ id: media.id, sha256: media.sha256 })
    .from(media)
    .where(and(eq(media.agencyId, agencyId), eq(media.externalId, externalId)));
  return holder ?? null;
}

/**
 * Signs a URL the client PUTs the bytes to, valid 30 minutes, for exactly the declared type and size.
 * The media id is reserved now; the file stays invisible until the upload is completed.
 */
export async function createUploadUrl(
  deps: DirectUploadDeps,
  agencyId: number,
  input: { contentType: unknown; size: unknown; externalId: string | undefined },
) {
  const { contentType, size } = parseDirectUpload(input);
  if (size > deps.maxUploadBytes) throw new DomainError("FILE_TOO_LARGE");
  if (input.externalId !== undefined) {
    const holder = await holderOf(deps, agencyId, input.externalId);
    if (holder) throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", { mediaId: holder.id });
  }
  const storagePrefix = newStoragePrefix();
  const objectKey = `${storagePrefix}/original.${extensionFor(contentType)}`;
  const expiresAt = new Date(Date.now() + DIRECT_UPLOAD_TTL_SECONDS * 1000);
  const [reserved] = await deps.db.execute<{ id: number }>(
    sql`select nextval(pg_get_serial_sequence('media', 'id'))::int as id`,
  );
  if (!reserved) throw new Error("no media id reserved");
  await deps.db.insert(pendingUploads).values({
    mediaId: reserved.id,
    agencyId,
    externalId: input.externalId ?? null,
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
    mediaId: reserved.id,
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
  const [pending] = await deps.db
    .select()
    .from(pendingUploads)
    .where(and(eq(pendingUploads.mediaId, mediaId), eq(pendingUploads.agencyId, agencyId)));
  if (!pending) return getMedia(deps, agencyId, mediaId);
  if (pending.expiresAt.getTime() <= Date.now()) throw new DomainError("FILE_NOT_FOUND");

  const stored = await deps.storage.head(pending.objectKey);
  if (!stored) throw new ValidationError(["the file has not been uploaded to uploadUrl yet"]);
  if (stored.size !== pending.size) {
    throw new ValidationError([`the uploaded file has ${stored.size} bytes, not the ${pending.size} declared`]);
  }
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
      const [claimed] = await tx
        .delete(pendingUploads)
        .where(eq(pendingUploads.mediaId, mediaId))
        .returning({ mediaId: pendingUploads.mediaId });
      if (!claimed) return undefined; // a concurrent completion won
      const [inserted] = await tx
        .insert(media)
        .overridingSystemValue()
        .values({
          id: mediaId,
          agencyId,
          externalId: pending.externalId,
          size: stored.size,
          contentType: sniffed,
          sha256,
          storagePrefix: pending.storagePrefix,
          originalKey: pending.objectKey,
        })
        .returning();
      if (!inserted) throw new Error("media row was not inserted");
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
  await deps.db.delete(pendingUploads).where(eq(pendingUploads.mediaId, mediaId));
  await deps.storage.deletePrefix(storagePrefix);
}
