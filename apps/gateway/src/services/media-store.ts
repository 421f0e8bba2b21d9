import {
  type Database,
  type MediaRow,
  mediaReads,
  mediaRepository,
  type ShownMedia,
  type ShownVariant,
  type Sql,
} from "@darkroom/db";
import { type RestMedia, toRestMedia } from "@darkroom/domain";
import type { ObjectStorage } from "@darkroom/storage";

export type { MediaRow };

export interface MediaDeps {
  db: Database;
  storage: ObjectStorage;
  /** The pool of point reads (`createDb`'s `reads`): the hot read goes through it. */
  reads: Sql;
}

/**
 * The REST media objects of the agency's files among `ids` (one statement: the hot read of REST and
 * GraphQL, `mediaReads`), in no particular order.
 */
export async function readMediaByIds(deps: MediaDeps, agencyId: number, ids: readonly number[]): Promise<RestMedia[]> {
  const found = await mediaReads(deps.reads).shownByIds(agencyId, ids);
  return Promise.all(found.map(({ row, variants }) => represent(deps, row, variants)));
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

/** The REST media objects of `rows`, with their variants loaded in one statement. */
export async function representMedia(deps: MediaDeps, rows: MediaRow[]): Promise<RestMedia[]> {
  const ready = rows.filter((row) => row.optimization === "success").map((row) => row.id);
  const variants = await mediaRepository(deps.db).variantsOf(ready);
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
