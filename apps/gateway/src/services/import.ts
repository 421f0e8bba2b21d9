import { addJob, clientJobRepository, mediaRepository, type Transaction } from "@darkroom/db";
import {
  DomainError,
  fileNameFromUrl,
  importPlaceholder,
  parseOutboundUrl,
  planImport,
  type RestMedia,
} from "@darkroom/domain";
import { getMedia } from "./media.ts";
import type { MediaDeps } from "./media-store.ts";
import { assertReachable } from "./outbound.ts";
import { newStoragePrefix } from "./upload.ts";

export interface ImportDeps extends MediaDeps {
  outboundAllowHosts: readonly string[];
}

export type ImportResult =
  | { status: 202; body: { mediaId: number; status: "pending"; externalId: string | null; jobId: number } }
  | { status: 200; body: RestMedia };

/**
 * Queues the import of an image from a URL: the file (pending), its client job and the download
 * job are written in one transaction; the optimizer downloads with the upload's limits.
 * Until the download ends, the file shows size 0 and `application/octet-stream`.
 */
export async function importFromUrl(
  deps: ImportDeps,
  agencyId: number,
  input: { url: unknown; externalId: string | undefined },
): Promise<ImportResult> {
  const url = parseOutboundUrl(input.url).toString();
  const { externalId } = input;
  const retry = async (): Promise<ImportResult | undefined> => {
    if (externalId === undefined) return undefined;
    const plan = planImport(url, await mediaRepository(deps.db).holderOf(agencyId, externalId));
    if (plan.action !== "reuse") return undefined;
    return { status: 200, body: await getMedia(deps, agencyId, plan.mediaId) };
  };
  const existing = await retry();
  if (existing) return existing;
  await assertReachable(new URL(url), deps.outboundAllowHosts);

  const queued = await deps.db.transaction((tx) => queueImport(tx, agencyId, url, externalId ?? null));
  if (queued) {
    return {
      status: 202,
      body: { mediaId: queued.mediaId, status: "pending", externalId: externalId ?? null, jobId: queued.jobId },
    };
  }
  const reused = await retry(); // another request took the external ID meanwhile
  if (reused) return reused;
  throw new DomainError("EXTERNAL_ID_ALREADY_LINKED");
}

/**
 * Writes an import in the caller's transaction: the file (pending, size 0), its client job and the
 * download job. Null, with nothing written, when another file of the agency carries `externalId`
 * (once that file's transaction has committed). The URL must have passed `parseOutboundUrl`; the
 * file is named after its path's last segment (`fileNameFromUrl`).
 */
export async function queueImport(tx: Transaction, agencyId: number, url: string, externalId: string | null) {
  const storagePrefix = newStoragePrefix();
  const mediaId = await mediaRepository(tx).insertImport({
    agencyId,
    externalId,
    storagePrefix,
    ...importPlaceholder(storagePrefix),
    sourceUrl: url,
    fileName: fileNameFromUrl(url),
  });
  if (mediaId === undefined) return null;
  const jobId = await clientJobRepository(tx).insert({ agencyId, type: "import_media", mediaId });
  await addJob(tx, "import_media", { mediaId, jobId }, { maxAttempts: 3 });
  return { mediaId, jobId };
}
