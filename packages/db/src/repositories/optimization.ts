import { NOT_DOWNLOADED_SHA256, type OptimizationStatus, statesBefore } from "@darkroom/domain";
import { and, eq, inArray, sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import type { Database, Transaction } from "../client.ts";
import { preparedStatement } from "../prepared.ts";
import { media, mediaVariants } from "../schema/media.ts";
import type { MediaRow } from "./media.ts";

/** The constraint (its name, from the schema) that refuses variant rows of a file that no longer exists. */
export const VARIANTS_OF_A_FILE = getTableConfig(mediaVariants)
  .foreignKeys.find((key) => key.reference().foreignTable === media)
  ?.getName();

/**
 * Marks a file `in_progress` for optimization request `generation`, unless it was deleted, has
 * finished, or a newer request superseded it (then no row). Prepared once: this runs for every job.
 */
const claimFile = preparedStatement((db) =>
  db
    .update(media)
    .set({ optimization: "in_progress", updatedAt: sql`now()` })
    .where(
      and(
        eq(media.id, sql.placeholder("mediaId")),
        eq(media.generation, sql.placeholder("generation")),
        inArray(media.optimization, statesBefore("in_progress")),
      ),
    )
    .returning()
    .prepare("claim_file_for_optimization"),
);

/** A variant as the optimizer stored it. */
export interface StoredVariant {
  variantSize: string;
  key: string;
  size: number;
  width: number;
  height: number;
}

/**
 * The statements of a file's optimization and download, as the optimizer's tasks run them, on `db`:
 * the database, or a transaction's handle. Files are named by id alone (the tasks' payloads carry it).
 *
 * `markOptimized`, `deleteVariants` and `insertVariants` answer the statement itself, not an async
 * function's promise: started together (`Promise.all`), they go to Postgres in the order called, in
 * one round trip (postgres.js pipelines them).
 */
export function optimizationRepository(db: Database | Transaction) {
  return {
    /** The file `id`, whatever its agency; undefined when it was deleted. */
    async find(id: number): Promise<MediaRow | undefined> {
      const [file] = await db.select().from(media).where(eq(media.id, id));
      return file;
    },

    async exists(id: number): Promise<boolean> {
      const [row] = await db.select({ id: media.id }).from(media).where(eq(media.id, id));
      return row !== undefined;
    },

    /** Claims the file for request `generation` (see `claimFile`); its row, or undefined. */
    async claim(mediaId: number, generation: number): Promise<MediaRow | undefined> {
      const [file] = await claimFile(db).execute({ mediaId, generation });
      return file;
    },

    /**
     * Marks the file optimized with `result`, if request `generation` is still the newest (this
     * locks the row); answers its external ID in a row, or no row when a newer request superseded it.
     */
    markOptimized(
      mediaId: number,
      generation: number,
      result: { blurhash: string; width: number; height: number; capturedAt: string | null },
    ): Promise<{ externalId: string | null }[]> {
      return db
        .update(media)
        .set({
          optimization: "success",
          optimizationError: null,
          blurhash: result.blurhash,
          width: result.width,
          height: result.height,
          capturedAt: result.capturedAt,
          updatedAt: sql`now()`,
        })
        .where(and(eq(media.id, mediaId), eq(media.generation, generation)))
        .returning({ externalId: media.externalId })
        .prepare("mark_file_optimized")
        .execute();
    },

    /** Deletes the file's variant rows; answers the keys of their objects. */
    deleteVariants(mediaId: number): Promise<{ key: string }[]> {
      return db
        .delete(mediaVariants)
        .where(eq(mediaVariants.mediaId, mediaId))
        .returning({ key: mediaVariants.key })
        .prepare("delete_variants")
        .execute();
    },

    insertVariants(mediaId: number, variants: readonly StoredVariant[]): Promise<unknown> {
      return db
        .insert(mediaVariants)
        .values(
          variants.map((v) => ({
            mediaId,
            variantSize: v.variantSize,
            key: v.key,
            size: v.size,
            width: v.width,
            height: v.height,
          })),
        )
        .prepare("insert_variants")
        .execute();
    },

    /**
     * Makes the file `failed` with `reason`, when it exists (and, given `still`, is still at that
     * generation and in one of those states). Answers its agency and external ID, or undefined when
     * nothing changed.
     */
    async markFailed(
      mediaId: number,
      reason: string,
      still?: { generation: number; optimization: readonly OptimizationStatus[] },
    ): Promise<{ agencyId: number; externalId: string | null } | undefined> {
      const [failed] = await db
        .update(media)
        .set({ optimization: "failed", optimizationError: reason, updatedAt: sql`now()` })
        .where(
          still
            ? sql`${eq(media.id, mediaId)} and ${and(eq(media.generation, still.generation), inArray(media.optimization, [...still.optimization]))}`
            : eq(media.id, mediaId),
        )
        .returning({ agencyId: media.agencyId, externalId: media.externalId });
      return failed;
    },

    /**
     * Records an imported file's downloaded original, unless the file was deleted or has one already
     * (a file still to be downloaded has no SHA-256: `importPlaceholder`). Answers what its optimization is queued with.
     */
    async storeImportedOriginal(
      mediaId: number,
      original: { size: number; contentType: string; sha256: string; originalKey: string },
    ): Promise<{ id: number; generation: number; originalKey: string } | undefined> {
      const [row] = await db
        .update(media)
        .set({ ...original, updatedAt: sql`now()` })
        .where(and(eq(media.id, mediaId), eq(media.sha256, NOT_DOWNLOADED_SHA256)))
        .returning({ id: media.id, generation: media.generation, originalKey: media.originalKey });
      return row;
    },
  };
}

export type OptimizationRepository = ReturnType<typeof optimizationRepository>;
