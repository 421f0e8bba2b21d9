import { pendingUploadRepository } from "@darkroom/db";
import type { Task } from "graphile-worker";
import type { TaskContext } from "./context.ts";

/** Runs every few minutes (crontab): direct uploads never completed are removed after expiry, objects included. */
export const CLEANUP_CRONTAB = "*/5 * * * * cleanup_expired_uploads";

export function cleanupExpiredUploads(context: TaskContext): Task {
  const uploads = pendingUploadRepository(context.db);
  return async () => {
    for (const upload of await uploads.expired(new Date(), 1000)) {
      await context.storage.deletePrefix(upload.storagePrefix);
      await uploads.delete(upload.mediaId);
    }
  };
}
