import { type Database, preparedStatement, schema } from "@darkroom/db";
import {
  type MediaRecord,
  type OptimizationStatus,
  type RestMedia,
  toRestMedia,
  type VariantRecord,
} from "@darkroom/domain";
import type { ObjectStorage } from "@darkroom/storage";
import { and, desc, eq, lt, sql } from "drizzle-orm";

export interface MediaDeps {
  db: Database;
  storage: ObjectStorage;
}

export type MediaRow = typeof schema.media.$inferSelect;

const { media, mediaVariants } = schema;

const mediaById = preparedStatement((db) =>
  db
    .select()
    .from(media)
    .where(and(eq(media.id, sql.placeholder("id")), eq(media.agencyId, sql.placeholder("agencyId"))))
    .prepare("media_by_id"),
);

export async function findMedia(db: Database, agencyId: number, id: number): Promise<MediaRow | undefined> {
  const [row] = await mediaById(db).execute({ id, agencyId });
  return row;
}

export async function findMediaByExternalId(
  db: Database,
  agencyId: number,
  externalId: string,
): Promise<MediaRow | undefined> {
  const [row] = await db
    .select()
    .from(media)
    .where(and(eq(media.externalId, externalId), eq(media.agencyId, agencyId)));
  return row;
}

export async function pageOfMedia(
  db: Database,
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
}

export type VariantRow = typeof schema.mediaVariants.$inferSelect;

/** What the REST media object is made of: a file's shown columns, and its variants' with their keys. */
type ShownMedia = MediaRecord & { originalKey: string };
type ShownVariant = Omit<VariantRecord, "url"> & { key: string };

/**
 * Files of the agency among `ids` and, once optimized, their variants: one statement, one row a
 * variant, only the columns the REST object shows (the hot read of REST and GraphQL).
 */
const mediaWithVariantsByIds = preparedStatement((db) =>
  db
    .select({
      media: {
        id: media.id,
        externalId: media.externalId,
        size: media.size,
        contentType: media.contentType,
        optimization: media.optimization,
        optimizationError: media.optimizationError,
        blurhash: media.blurhash,
        width: media.width,
        height: media.height,
        createdAt: media.createdAt,
        originalKey: media.originalKey,
      },
      variant: {
        variantSize: mediaVariants.variantSize,
        key: mediaVariants.key,
        size: mediaVariants.size,
        width: mediaVariants.width,
        height: mediaVariants.height,
      },
    })
    .from(media)
    .leftJoin(mediaVariants, and(eq(mediaVariants.mediaId, media.id), eq(media.optimization, "success")))
    .where(and(sql`${media.id} = any(${sql.placeholder("ids")})`, eq(media.agencyId, sql.placeholder("agencyId"))))
    .prepare("media_with_variants_by_ids"),
);

/** The REST media objects of the agency's files among `ids` (one statement), in no particular order. */
export async function readMediaByIds(deps: MediaDeps, agencyId: number, ids: readonly number[]): Promise<RestMedia[]> {
  if (ids.length === 0) return [];
  const rows = await mediaWithVariantsByIds(deps.db).execute({ ids: [...ids], agencyId });
  const byId = new Map<number, { row: ShownMedia; variants: ShownVariant[] }>();
  for (const { media: row, variant } of rows) {
    const entry = byId.get(row.id) ?? { row, variants: [] };
    if (variant) entry.variants.push(variant);
    byId.set(row.id, entry);
  }
  return Promise.all([...byId.values()].map(({ row, variants }) => represent(deps, row, variants)));
}

/** The REST media object of a file of the agency (one statement); undefined when there is none. */
export async function readMedia(deps: MediaDeps, agencyId: number, id: number): Promise<RestMedia | undefined> {
  const [found] = await readMediaByIds(deps, agencyId, [id]);
  return found;
}

/** The REST media object of `row`, given its variants. */
async function represent(deps: MediaDeps, row: ShownMedia, variants: readonly ShownVariant[]): Promise<RestMedia> {
  const withUrls = await Promise.all(variants.map(async (v) => ({ ...v, url: await deps.storage.url(v.key) })));
  return toRestMedia(row, await deps.storage.url(row.originalKey), withUrls);
}

const variantsOf = preparedStatement((db) =>
  db
    .select()
    .from(mediaVariants)
    .where(sql`${mediaVariants.mediaId} = any(${sql.placeholder("ids")})`)
    .prepare("variants_of_media"),
);

/** The REST media objects of `rows`, with their variants loaded in one statement. */
export async function representMedia(deps: MediaDeps, rows: MediaRow[]): Promise<RestMedia[]> {
  const ready = rows.filter((row) => row.optimization === "success").map((row) => row.id);
  const variants = ready.length === 0 ? [] : await variantsOf(deps.db).execute({ ids: ready });
  return Promise.all(
    rows.map((row) =>
      represent(
        deps,
        row,
        variants.filter((v) => v.mediaId === row.id),
      ),
    ),
  );
}

export async function representOne(deps: MediaDeps, row: MediaRow): Promise<RestMedia> {
  const [represented] = await representMedia(deps, [row]);
  if (!represented) throw new Error("media was not represented");
  return represented;
}
