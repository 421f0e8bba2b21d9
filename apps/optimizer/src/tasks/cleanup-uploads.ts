import { schema } from "@darkroom/db";
import { eq, lt } from "drizzle-orm";
import type { Task } from "graphile-worker";
import type { TaskContext } from "./context.ts";

/** Runs every few minutes (crontab): direct uploads never completed are removed after expiry, objects included. */
export const CLEANUP_CRONTAB = "*/5 * * * * cleanup_expired_uploads";

export function cleanupExpiredUploads(context: TaskContext): Task {
  return async () => {
    const expired = await context.db
      .select({ mediaId: schema.pendingUploads.mediaId, storagePrefix: schema.pendingUploads.storagePrefix })
      .from(schema.pendingUploads)
      .where(lt(schema.pendingUploads.expiresAt, new Date()))
      .limit(1000);
    for (const upload of expired) {
      await context.storage.deletePrefix(upload.storagePrefix);
      await context.db.delete(schema.pendingUploads).where(eq(schema.pendingUploads.mediaId, upload.mediaId));
    }
  };
}
