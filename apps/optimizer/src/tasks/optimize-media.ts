import type { Readable } from "node:stream";
import {
  addJob,
  isForeignKeyViolation,
  optimizationRepository,
  recordDeliveries,
  VARIANTS_OF_A_FILE,
  wakeListingsWaitingOn,
  webhooksListening,
} from "@darkroom/db";
import { staleVariantKeys, statesBefore, taskPayloads } from "@darkroom/domain";
import { ObjectNotFoundError, type ObjectStorage } from "@darkroom/storage";
import type { JobHelpers, Task } from "graphile-worker";
import { optimizeImage, UnprocessableImageError } from "../pipeline.ts";
import type { TaskContext } from "./context.ts";
import { markMediaFailed } from "./media-failed.ts";

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

/** This run no longer owns the file (a newer request superseded it): its writes are rolled back. */
class NotOwned extends Error {
  override name = "NotOwned";
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
  const { db, storage, config, imageSlots, heicDecoder } = context;
  const files = optimizationRepository(db);

  async function fail(mediaId: number, generation: number, reason: string) {
    await db.transaction((tx) =>
      markMediaFailed(tx, mediaId, reason, { generation, optimization: statesBefore("failed") }),
    );
  }

  /** The original, optimized in an image slot (a remote one is read there: in memory only while decoded). */
  const optimizeOriginal = (key: string) =>
    imageSlots.run(async () =>
      optimizeImage(await originalOf(storage, key, config.maxUploadBytes), {
        maxInputPixels: config.maxInputPixels,
        heicDecoder,
      }),
    );

  return async (payload, helpers) => {
    const parsed = taskPayloads.optimize_media.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`optimize_media: ignoring a malformed payload: ${parsed.error.message}`);
      return;
    }
    const { mediaId, generation, originalKey } = parsed.data;

    // Given the original's key, the image is decoded while the file is claimed; its result (or error)
    // is used only if the claim succeeds, for that same original.
    const early = originalKey === undefined ? undefined : optimizeOriginal(originalKey);
    // Settles when the early decoding does, whatever its outcome: a handler attached at once, so that
    // a failure while the claim runs is no unhandled rejection (it is still thrown by `await early`).
    const earlyDone = early?.then(
      () => undefined,
      () => undefined,
    );
    const file = await files.claim(mediaId, generation).catch(async (error: unknown) => {
      await earlyDone;
      throw error;
    });
    if (!file) {
      await earlyDone;
      return; // deleted, finished, or superseded by a newer request
    }

    const generationPrefix = `${file.storagePrefix}/g${generation}`;
    try {
      let image: Awaited<ReturnType<typeof optimizeOriginal>>;
      if (early !== undefined && originalKey === file.originalKey) {
        image = await early;
      } else {
        await earlyDone;
        image = await optimizeOriginal(file.originalKey);
      }
      const written = await Promise.all(
        image.variants.map(async (variant) => {
          const key = `${generationPrefix}/${variant.variantSize}.webp`;
          await storage.put(key, variant.data, { contentType: "image/webp", size: variant.data.length });
          return { ...variant, key, size: variant.data.length };
        }),
      );

      const outcome = await db
        .transaction(async (tx) => {
          // One round trip for all but the rare follow-ups: the guarded update, which locks the row and
          // says whether this run still owns the file, and the statements that go with it are sent
          // together (postgres.js pipelines them), in this order; the old variant rows go before the
          // new ones that take their sizes. Should the run not own the file, all is rolled back.
          const result = optimizationRepository(tx);
          const [owner, old, , , listening] = await Promise.all([
            result.markOptimized(mediaId, generation, image),
            result.deleteVariants(mediaId),
            result.insertVariants(mediaId, written),
            wakeListingsWaitingOn(tx, mediaId),
            webhooksListening(tx, file.agencyId, "media.optimized"),
          ]);
          const [current] = owner;
          if (!current) throw new NotOwned();
          await recordDeliveries(tx, listening, "media.optimized", {
            mediaId,
            externalId: current.externalId,
            width: image.width,
            height: image.height,
          });
          const stale = staleVariantKeys(
            old.map((o) => o.key),
            written.map((w) => w.key),
          );
          if (stale.length > 0) await addJob(tx, "remove_objects", { keys: stale });
          return "success" as const;
        })
        .catch(async (error: unknown) => {
          // Superseded by a newer request (rolled back above), or deleted (the new variant rows then
          // referenced no file): which one, the row says.
          if (!(error instanceof NotOwned) && !isForeignKeyViolation(error, VARIANTS_OF_A_FILE)) throw error;
          return (await files.exists(mediaId)) ? ("superseded" as const) : ("deleted" as const);
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
