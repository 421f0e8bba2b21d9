import { and, eq, lt } from "drizzle-orm";
import type { Database, Transaction } from "../client.ts";
import { pendingUploads } from "../schema/pending-uploads.ts";

export type PendingUploadRow = typeof pendingUploads.$inferSelect;

/** The statements of direct uploads announced and not completed yet, on the database or a transaction's handle. */
export function pendingUploadRepository(db: Database | Transaction) {
  return {
    async insert(upload: Omit<PendingUploadRow, "createdAt">): Promise<void> {
      await db.insert(pendingUploads).values(upload);
    },

    /** The agency's pending upload of file `mediaId`; undefined when there is none. */
    async find(agencyId: number, mediaId: number): Promise<PendingUploadRow | undefined> {
      const [pending] = await db
        .select()
        .from(pendingUploads)
        .where(and(eq(pendingUploads.mediaId, mediaId), eq(pendingUploads.agencyId, agencyId)));
      return pending;
    },

    /** Deletes the pending upload of file `mediaId`; answers whether there was one (who completes it). */
    async delete(mediaId: number): Promise<boolean> {
      const deleted = await db
        .delete(pendingUploads)
        .where(eq(pendingUploads.mediaId, mediaId))
        .returning({ mediaId: pendingUploads.mediaId });
      return deleted.length > 0;
    },

    /** Up to `limit` pending uploads that expired before `now`. */
    async expired(now: Date, limit: number): Promise<{ mediaId: number; storagePrefix: string }[]> {
      return db
        .select({ mediaId: pendingUploads.mediaId, storagePrefix: pendingUploads.storagePrefix })
        .from(pendingUploads)
        .where(lt(pendingUploads.expiresAt, now))
        .limit(limit);
    },
  };
}

export type PendingUploadRepository = ReturnType<typeof pendingUploadRepository>;
