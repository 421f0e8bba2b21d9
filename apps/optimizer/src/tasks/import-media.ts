import os from "node:os";
import { type ClientJobChange, clientJobRepository, optimizationRepository, queueOptimization } from "@darkroom/db";
import { extensionFor, isDownloaded, sniffImageType, taskPayloads } from "@darkroom/domain";
import type { Task } from "graphile-worker";
import { DownloadError, downloadToFile } from "../download.ts";
import type { TaskContext } from "./context.ts";
import { markMediaFailed } from "./media-failed.ts";

/**
 * Downloads an imported file's original (with the upload's size and type rules and the outbound
 * address rules), stores it and queues its optimization. A failed download makes the file `failed`
 * and its client job `failed` with the reason; a source error worth retrying (5xx, connection
 * reset) leaves the job `failed_retryable` until the last attempt.
 */
export function importMedia(context: TaskContext): Task {
  const { db, storage, config } = context;

  const files = optimizationRepository(db);
  const setJob = (jobId: number, change: ClientJobChange) => clientJobRepository(db).update(jobId, change);

  async function fail(mediaId: number, jobId: number, reason: string) {
    await db.transaction(async (tx) => {
      await markMediaFailed(tx, mediaId, reason);
      await clientJobRepository(tx).update(jobId, { status: "failed", publicErrorMessage: reason });
    });
  }

  return async (payload, helpers) => {
    const parsed = taskPayloads.import_media.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`import_media: ignoring a malformed payload: ${parsed.error.message}`);
      return;
    }
    const { mediaId, jobId } = parsed.data;
    const file = await files.find(mediaId);
    if (!file) {
      await setJob(jobId, { status: "failed", publicErrorMessage: "the file was deleted before its download" });
      return;
    }
    if (isDownloaded(file) || !file.sourceUrl) return; // already downloaded by an earlier attempt
    await setJob(jobId, { status: "processing" });

    let downloaded: Awaited<ReturnType<typeof downloadToFile>> | undefined;
    try {
      downloaded = await downloadToFile(file.sourceUrl, {
        allowHosts: config.outboundAllowHosts,
        maxBytes: config.maxUploadBytes,
        timeoutMs: config.importTimeoutMs,
        tmpDir: os.tmpdir(),
      });
      const contentType = await sniffImageType(downloaded.head);
      if (!contentType) throw new DownloadError("the URL did not return an image of an accepted type");
      const originalKey = `${file.storagePrefix}/original.${extensionFor(contentType)}`;
      await storage.putFile(originalKey, downloaded.path, { contentType, size: downloaded.size, move: true });
      const original = { size: downloaded.size, contentType, sha256: downloaded.sha256, originalKey };
      const stored = await db.transaction(async (tx) => {
        const row = await optimizationRepository(tx).storeImportedOriginal(mediaId, original);
        if (!row) return false;
        await queueOptimization(tx, row);
        await clientJobRepository(tx).update(jobId, { status: "completed", resultData: { mediaId } });
        return true;
      });
      if (!stored) {
        await storage.deletePrefix(file.storagePrefix); // deleted during the download
        await setJob(jobId, { status: "failed", publicErrorMessage: "the file was deleted during its download" });
      }
    } catch (error) {
      if (!(error instanceof DownloadError)) throw error;
      if (error.retryable && helpers.job.attempts < helpers.job.max_attempts) {
        await setJob(jobId, { status: "failed_retryable", publicErrorMessage: error.message });
        throw error;
      }
      await fail(mediaId, jobId, error.message);
    } finally {
      await downloaded?.discard();
    }
  };
}
