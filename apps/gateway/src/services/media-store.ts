import { type Database, preparedStatement, type Sql, schema } from "@darkroom/db";
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
  /** The pool of point reads (`createDb`'s `reads`): the hot read goes through it. */
  reads: Sql;
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

/** What the REST media object is made of: a file's shown columns, and its variants' with their keys. */
type ShownMedia = MediaRecord & { originalKey: string };
type ShownVariant = Omit<VariantRecord, "url"> & { key: string };

/** One row of the hot read: a file's shown columns and, once optimized, one of its variants. */
interface HotRow {
  id: number;
  external_id: string | null;
  size: string;
  content_type: string;
  optimization: OptimizationStatus;
  optimization_error: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  /** As Postgres prints it (the drizzle client reads timestamps as text). */
  created_at: string;
  original_key: string;
  variant_size: string | null;
  variant_key: string | null;
  variant_bytes: string | null;
  variant_width: number | null;
  variant_height: number | null;
}

/** The hot read's statement: a file of the agency (`$2`) and its variants, by `idClause` over `$1`. */
const hotRead = (idClause: string) => `
  select m.id, m.external_id, m.size, m.content_type, m.optimization, m.optimization_error, m.blurhash,
    m.width, m.height, m.created_at, m.original_key, v.variant_size, v.key as variant_key,
    v.size as variant_bytes, v.width as variant_width, v.height as variant_height
  from media m
  left join media_variants v on v.media_id = m.id and m.optimization = 'success'
  where ${idClause} and m.agency_id = $2`;
// One id (every REST read, most GraphQL ones) is compared as a plain parameter: about 1.5x the
// requests/s of `= any(array)` for the same row in the gateway benchmark's bare handler.
/** The hot read of one file (`$1` its id, `$2` the agency); the gateway benchmark's bare handler runs it too. */
export const HOT_READ_ONE = hotRead("m.id = $1");
const HOT_READ_MANY = hotRead("m.id = any($1::int[])");

/**
 * The REST media objects of the agency's files among `ids` (one statement, one row a variant, only
 * the columns the REST object shows), in no particular order. This is the hot read of REST and
 * GraphQL, so it goes to postgres.js directly, over the pool of point reads, as one of two constant
 * prepared statements: no query builder, no row mapper, and no nested `sql` fragment (each call
 * would make a second postgres.js query and stringify it into the first: a third of a REST read's CPU).
 */
export async function readMediaByIds(deps: MediaDeps, agencyId: number, ids: readonly number[]): Promise<RestMedia[]> {
  if (ids.length === 0) return [];
  const [statement, idParam] = ids.length === 1 ? [HOT_READ_ONE, ids[0] as number] : [HOT_READ_MANY, ids as number[]];
  const rows = await deps.reads.unsafe<HotRow[]>(statement, [idParam, agencyId], { prepare: true });
  const byId = new Map<number, { row: ShownMedia; variants: ShownVariant[] }>();
  for (const r of rows) {
    let entry = byId.get(r.id);
    if (!entry) {
      const row: ShownMedia = {
        id: r.id,
        externalId: r.external_id,
        size: Number(r.size),
        contentType: r.content_type,
        optimization: r.optimization,
        optimizationError: r.optimization_error,
        blurhash: r.blurhash,
        width: r.width,
        height: r.height,
        createdAt: new Date(r.created_at),
        originalKey: r.original_key,
      };
      entry = { row, variants: [] };
      byId.set(r.id, entry);
    }
    if (r.variant_size !== null) {
      entry.variants.push({
        variantSize: r.variant_size,
        key: r.variant_key as string,
        size: Number(r.variant_bytes),
        width: r.variant_width as number,
        height: r.variant_height as number,
      });
    }
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
