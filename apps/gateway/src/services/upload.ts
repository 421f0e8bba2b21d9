import { randomBytes } from "node:crypto";
import { addJobCall, isUniqueViolation, preparedStatement, schema } from "@darkroom/db";
import { DomainError, extensionFor, planUpload, type RestMedia, sniffImageType } from "@darkroom/domain";
import { and, eq, sql } from "drizzle-orm";
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

/**
 * A new file's row and the job that optimizes it, in one statement: atomic without a transaction,
 * one round trip instead of four (begin, insert, add_job, commit), and prepared once, where drizzle
 * would otherwise build it and Postgres plan it for every upload.
 */
const insertAndQueue = preparedStatement((db) => {
  const param = (name: keyof typeof media.$inferInsert) => sql.placeholder(name);
  const inserted = db.$with("inserted").as(
    db
      .insert(media)
      .values({
        agencyId: param("agencyId"),
        externalId: param("externalId"),
        size: param("size"),
        contentType: param("contentType"),
        sha256: param("sha256"),
        storagePrefix: param("storagePrefix"),
        originalKey: param("originalKey"),
      })
      .returning(),
  );
  const payload = sql`json_build_object(
    'mediaId', ${inserted.id}, 'generation', ${inserted.generation}, 'originalKey', ${inserted.originalKey})`;
  const queued = db
    .$with("queued", { jobId: sql<string>`job_id`.as("job_id") })
    .as(sql`select job.id as job_id from ${inserted}, ${addJobCall("optimize_media", payload)} as job`);
  return db.with(inserted, queued).select().from(inserted).crossJoin(queued).prepare("insert_media_and_queue");
});

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
 * Stores a spooled upload as a new file of the agency and queues its optimization in the statement
 * that inserts its row. The type is sniffed from the bytes. Nothing is left stored when refused.
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
    const [created] = await insertAndQueue(deps.db).execute({
      agencyId,
      externalId: externalId ?? null,
      size: file.size,
      contentType,
      sha256: file.sha256,
      storagePrefix,
      originalKey,
    });
    if (!created) throw new Error("media row was not inserted");
    const row = created.inserted;
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
