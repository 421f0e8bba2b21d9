import type { Readable } from "node:stream";
import { addJob, recordEvent, schema } from "@darkroom/db";
import { statesBefore, taskPayloads } from "@darkroom/domain";
import { ObjectNotFoundError, type ObjectStorage } from "@darkroom/storage";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { JobHelpers, Task } from "graphile-worker";
import { optimizeImage, UnprocessableImageError } from "../pipeline.ts";
import type { TaskContext } from "./context.ts";
import { markMediaFailed } from "./media-failed.ts";
import { wakeListingsWaitingOn } from "./publish-listing.ts";

const { media, mediaVariants } = schema;

const tooLarge = () => new UnprocessableImageError("the stored original is larger than the upload limit");

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) {
      stream.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The original as libvips will read it: its local file when the storage keeps one (no copy through
 * this process's memory, and fewer buffers for V8 to collect), else its bytes.
 */
export async function originalOf(storage: ObjectStorage, key: string, maxBytes: number): Promise<Buffer | string> {
  const local = await storage.localFile(key);
  if (local === undefined) return readAll(await storage.get(key), maxBytes);
  if (local.size > maxBytes) throw tooLarge();
  return local.path;
}

function isLastAttempt(helpers: JobHelpers) {
  return helpers.job.attempts >= helpers.job.max_attempts;
}

/**
 * Turns a file's original into WebP variants and a blurhash:
 * `pending` → `in_progress` → `success` (variants written before the row says so) or `failed`.
 * A file deleted, or re-optimized again, while this runs is left to the newer state, with nothing
 * of this run left in storage.
 */
export function optimizeMedia(context: TaskContext): Task {
  const { db, storage, config } = context;

  async function fail(mediaId: number, generation: number, reason: string) {
    await db.transaction((tx) =>
      markMediaFailed(
        tx,
        mediaId,
        reason,
        and(eq(media.generation, generation), inArray(media.optimization, statesBefore("failed"))),
      ),
    );
  }

  const readOriginal = (key: string) => originalOf(storage, key, config.maxUploadBytes);

  return async (payload, helpers) => {
    const parsed = taskPayloads.optimize_media.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`optimize_media: ignoring a malformed payload: ${parsed.error.message}`);
      return;
    }
    const { mediaId, generation } = parsed.data;

    const [file] = await db
      .update(media)
      .set({ optimization: "in_progress", updatedAt: sql`now()` })
      .where(
        and(
          eq(media.id, mediaId),
          eq(media.generation, generation),
          inArray(media.optimization, statesBefore("in_progress")),
        ),
      )
      .returning();
    if (!file) return; // deleted, finished, or superseded by a newer request

    const generationPrefix = `${file.storagePrefix}/g${generation}`;
    try {
      const original = await readOriginal(file.originalKey);
      const image = await optimizeImage(original, { maxInputPixels: config.maxInputPixels });
      const written = await Promise.all(
        image.variants.map(async (variant) => {
          const key = `${generationPrefix}/${variant.variantSize}.webp`;
          await storage.put(key, variant.data, { contentType: "image/webp", size: variant.data.length });
          return { ...variant, key, size: variant.data.length };
        }),
      );

      const outcome = await db.transaction(async (tx) => {
        const [current] = await tx
          .select({ generation: media.generation, agencyId: media.agencyId, externalId: media.externalId })
          .from(media)
          .where(eq(media.id, mediaId))
          .for("update");
        if (!current) return "deleted" as const;
        if (current.generation !== generation) return "superseded" as const;
        const old = await tx
          .delete(mediaVariants)
          .where(eq(mediaVariants.mediaId, mediaId))
          .returning({ key: mediaVariants.key });
        await tx.insert(mediaVariants).values(
          written.map((v) => ({
            mediaId,
            variantSize: v.variantSize,
            key: v.key,
            size: v.size,
            width: v.width,
            height: v.height,
          })),
        );
        await tx
          .update(media)
          .set({
            optimization: "success",
            optimizationError: null,
            blurhash: image.blurhash,
            width: image.width,
            height: image.height,
            updatedAt: sql`now()`,
          })
          .where(eq(media.id, mediaId));
        await wakeListingsWaitingOn(tx, mediaId);
        await recordEvent(tx, current.agencyId, "media.optimized", {
          mediaId,
          externalId: current.externalId,
          width: image.width,
          height: image.height,
        });
        const stale = old.map((o) => o.key).filter((key) => !written.some((w) => w.key === key));
        if (stale.length > 0) await addJob(tx, "remove_objects", { keys: stale });
        return "success" as const;
      });
      if (outcome === "deleted") await storage.deletePrefix(file.storagePrefix);
      if (outcome === "superseded") await storage.deletePrefix(generationPrefix);
    } catch (error) {
      if (error instanceof UnprocessableImageError || error instanceof ObjectNotFoundError) {
        await fail(
          mediaId,
          generation,
          error instanceof ObjectNotFoundError ? "the original is missing" : error.message,
        );
        return;
      }
      if (isLastAttempt(helpers)) {
        await fail(mediaId, generation, "the file could not be optimized after several attempts");
        return;
      }
      throw error;
    }
  };
}
