import type { MediaRecord, OptimizationStatus, VariantRecord } from "@darkroom/domain";
import type { Sql } from "../client.ts";

/** What the REST media object is made of: a file's shown columns, and its variants' with their keys. */
export type ShownMedia = MediaRecord & { originalKey: string };
export type ShownVariant = Omit<VariantRecord, "url"> & { key: string };

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
  file_name: string | null;
  captured_at: string | null;
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
    m.width, m.height, m.file_name, m.captured_at, m.created_at, m.original_key, v.variant_size, v.key as variant_key,
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
 * The reads of files as the REST media object shows them, over `reads`, the pool of point reads
 * (`createDb`'s `reads`).
 */
export function mediaReads(reads: Sql) {
  return {
    /**
     * The agency's files among `ids` with their variants (one statement, one row a variant, only
     * the columns the REST object shows), in no particular order. This is the hot read of REST and
     * GraphQL, so it goes to postgres.js directly as one of two constant prepared statements: no
     * query builder, no row mapper, and no nested `sql` fragment (each call would make a second
     * postgres.js query and stringify it into the first: a third of a REST read's CPU).
     */
    async shownByIds(
      agencyId: number,
      ids: readonly number[],
    ): Promise<{ row: ShownMedia; variants: ShownVariant[] }[]> {
      if (ids.length === 0) return [];
      const [statement, idParam] =
        ids.length === 1 ? [HOT_READ_ONE, ids[0] as number] : [HOT_READ_MANY, ids as number[]];
      const rows = await reads.unsafe<HotRow[]>(statement, [idParam, agencyId], { prepare: true });
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
            fileName: r.file_name,
            capturedAt: r.captured_at,
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
      return [...byId.values()];
    },
  };
}
