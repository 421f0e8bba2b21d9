import { randomBytes } from "node:crypto";
import { addJob, isUniqueViolation, schema } from "@darkroom/db";
import { DomainError, extensionFor, planUpload, type RestMedia, sniffImageType } from "@darkroom/domain";
import { and, eq } from "drizzle-orm";
import { getMedia } from "./media.ts";
import { type MediaDeps, representOne } from "./media-store.ts";
import type { SpooledFile } from "./spool.ts";

const { media } = schema;

/** A random, unguessable prefix for every stored object of one file. */
export function newStoragePrefix(): string {
  return `m/${randomBytes(18).toString("base64url")}`;
}

export interface UploadResult {
  /** 201 for a new file; 200 for a byte-identical retry that answers with the existing file. */
  status: 201 | 200;
  media: RestMedia;
}

async function holderOf(deps: MediaDeps, agencyId: number, externalId: string) {
  const [holder] = await deps.db
    .select({ id: media.id, sha256: media.sha256 })
    .from(media)
    .where(and(eq(media.agencyId, agencyId), eq(media.externalId, externalId)));
  return holder ?? null;
}

async function existing(deps: MediaDeps, agencyId: number, id: number): Promise<UploadResult> {
  return { status: 200, media: await getMedia(deps, agencyId, id) };
}

/**
 * Stores a spooled upload as a new file of the agency and queues its optimization in the same
 * transaction as its row. The type is sniffed from the bytes. Nothing is left stored when refused.
 */
export async function storeUpload(
  deps: MediaDeps,
  agencyId: number,
  file: SpooledFile,
  externalId: string | undefined,
): Promise<UploadResult> {
  const contentType = await sniffImageType(file.head);
  if (!contentType) throw new DomainError("UNSUPPORTED_FILE_TYPE");

  if (externalId !== undefined) {
    const plan = planUpload(file.sha256, await holderOf(deps, agencyId, externalId));
    if (plan.action === "reuse") return existing(deps, agencyId, plan.mediaId);
  }

  const storagePrefix = newStoragePrefix();
  const originalKey = `${storagePrefix}/original.${extensionFor(contentType)}`;
  await deps.storage.putFile(originalKey, file.path, { contentType, size: file.size, move: true });
  try {
    const row = await deps.db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(media)
        .values({
          agencyId,
          externalId: externalId ?? null,
          size: file.size,
          contentType,
          sha256: file.sha256,
          storagePrefix,
          originalKey,
        })
        .returning();
      if (!inserted) throw new Error("media row was not inserted");
      await addJob(tx, "optimize_media", { mediaId: inserted.id, generation: inserted.generation });
      return inserted;
    });
    return { status: 201, media: await representOne(deps, row) };
  } catch (error) {
    await deps.storage.deletePrefix(storagePrefix);
    if (externalId === undefined || !isUniqueViolation(error)) throw error;
    // Another upload took the external ID meanwhile: the same rule decides again.
    const plan = planUpload(file.sha256, await holderOf(deps, agencyId, externalId));
    if (plan.action === "reuse") return existing(deps, agencyId, plan.mediaId);
    throw new DomainError("EXTERNAL_ID_ALREADY_LINKED");
  }
}
