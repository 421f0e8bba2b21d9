import type { OptimizationStatus } from "@darkroom/domain";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Database, Transaction } from "../client.ts";
import { addJobCall } from "../jobs.ts";
import { preparedStatement } from "../prepared.ts";
import { media, mediaVariants } from "../schema/media.ts";

export type MediaRow = typeof media.$inferSelect;
export type MediaVariantRow = typeof mediaVariants.$inferSelect;

/** What a new file's row is made of (its id, state and times come from the database). */
export type NewMedia = {
  agencyId: number;
  externalId: string | null;
  size: number;
  contentType: string;
  sha256: string;
  storagePrefix: string;
  originalKey: string;
  fileName: string | null;
};

const mediaById = preparedStatement((db) =>
  db
    .select()
    .from(media)
    .where(and(eq(media.id, sql.placeholder("id")), eq(media.agencyId, sql.placeholder("agencyId"))))
    .prepare("media_by_id"),
);

const variantsOfMedia = preparedStatement((db) =>
  db
    .select()
    .from(mediaVariants)
    .where(sql`${mediaVariants.mediaId} = any(${sql.placeholder("ids")})`)
    .prepare("variants_of_media"),
);

/**
 * A new file's row and the job that optimizes it, in one statement: atomic without a transaction,
 * one round trip instead of four (begin, insert, add_job, commit), and prepared once, where drizzle
 * would otherwise build it and Postgres plan it for every upload.
 */
const insertAndQueueMedia = preparedStatement((db) => {
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
        fileName: param("fileName"),
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

/**
 * The statements of files as the gateway reads and changes them, on `db`: the database, or a
 * transaction's handle (the methods that lock rows need one: their locks last until it ends).
 * Methods given an agency answer its files only, never another's.
 */
export function mediaRepository(db: Database | Transaction) {
  return {
    /** The agency's file `id` (a prepared statement). */
    async find(agencyId: number, id: number): Promise<MediaRow | undefined> {
      const [row] = await mediaById(db).execute({ id, agencyId });
      return row;
    },

    async findByExternalId(agencyId: number, externalId: string): Promise<MediaRow | undefined> {
      const [row] = await db
        .select()
        .from(media)
        .where(and(eq(media.externalId, externalId), eq(media.agencyId, agencyId)));
      return row;
    },

    /** The agency's files newest first, `limit` of them, older than `before` and in state `optimization` when given. */
    async page(
      agencyId: number,
      options: { limit: number; before?: number; optimization?: OptimizationStatus },
    ): Promise<MediaRow[]> {
      return db
        .select()
        .from(media)
        .where(
          and(
            eq(media.agencyId, agencyId),
            options.before === undefined ? undefined : lt(media.id, options.before),
            options.optimization === undefined ? undefined : eq(media.optimization, options.optimization),
          ),
        )
        .orderBy(desc(media.id))
        .limit(options.limit);
    },

    /** The variants of the files `ids`, in no particular order (one prepared statement). */
    async variantsOf(ids: number[]): Promise<MediaVariantRow[]> {
      if (ids.length === 0) return [];
      return variantsOfMedia(db).execute({ ids });
    },

    /**
     * The agency's file that carries `externalId` (what the link, upload and import rules compare
     * with), null when none does.
     */
    async holderOf(agencyId: number, externalId: string) {
      const [holder] = await db
        .select({ id: media.id, externalId: media.externalId, sha256: media.sha256, sourceUrl: media.sourceUrl })
        .from(media)
        .where(and(eq(media.agencyId, agencyId), eq(media.externalId, externalId)));
      return holder ?? null;
    },

    /** The agency's file `id` (or carrying `externalId`), locked (FOR UPDATE); undefined when there is none. */
    async lock(agencyId: number, selector: { id: number } | { externalId: string }) {
      const match = "id" in selector ? eq(media.id, selector.id) : eq(media.externalId, selector.externalId);
      const [file] = await db
        .select({ id: media.id, externalId: media.externalId, storagePrefix: media.storagePrefix })
        .from(media)
        .where(and(match, eq(media.agencyId, agencyId)))
        .for("update");
      return file;
    },

    async setExternalId(id: number, externalId: string | null): Promise<void> {
      await db.update(media).set({ externalId, updatedAt: sql`now()` }).where(eq(media.id, id));
    },

    /** Deletes the file `id`; its variants and its places in listings go with it (foreign keys). */
    async delete(id: number): Promise<void> {
      await db.delete(media).where(eq(media.id, id));
    },

    /**
     * Asks for the optimization of the agency's file `id` again: `pending`, no error, the next
     * generation. Answers the row (undefined when there is none).
     */
    async requestOptimization(agencyId: number, id: number): Promise<MediaRow | undefined> {
      const [updated] = await db
        .update(media)
        .set({
          optimization: "pending",
          optimizationError: null,
          generation: sql`${media.generation} + 1`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(media.id, id), eq(media.agencyId, agencyId)))
        .returning();
      return updated;
    },

    /** Inserts a new file and queues its optimization in one prepared statement; answers its row. */
    async insertAndQueue(file: NewMedia): Promise<MediaRow> {
      const [created] = await insertAndQueueMedia(db).execute(file);
      if (!created) throw new Error("media row was not inserted");
      return created.inserted;
    },

    /** A media id taken from the sequence now, for a file whose row is written later. */
    async reserveId(): Promise<number> {
      const [reserved] = await db.execute<{ id: number }>(
        sql`select nextval(pg_get_serial_sequence('media', 'id'))::int as id`,
      );
      if (!reserved) throw new Error("no media id reserved");
      return reserved.id;
    },

    /** Inserts a new file under the id `reserveId` gave; answers its row. */
    async insertReserved(id: number, file: NewMedia): Promise<MediaRow> {
      const [inserted] = await db
        .insert(media)
        .overridingSystemValue()
        .values({ id, ...file })
        .returning();
      if (!inserted) throw new Error("media row was not inserted");
      return inserted;
    },

    /**
     * Inserts a file whose original is still to be downloaded from `sourceUrl`; undefined, with
     * nothing written, when another file of the agency carries its external ID.
     */
    async insertImport(file: NewMedia & { sourceUrl: string }): Promise<number | undefined> {
      const [inserted] = await db
        .insert(media)
        .values(file)
        .onConflictDoNothing({ target: [media.agencyId, media.externalId] })
        .returning({ id: media.id });
      return inserted?.id;
    },
  };
}

export type MediaRepository = ReturnType<typeof mediaRepository>;
