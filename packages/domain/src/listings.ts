import { ValidationError } from "./errors.ts";
import { externalIdProblems, type LinkErrors } from "./external-id.ts";
import { parseId } from "./input.ts";
import type { OptimizationStatus } from "./optimization.ts";
import { parseOutboundUrl } from "./outbound.ts";

/**
 * Listings, the media's consumers: ordered photos, and a publication that waits for their
 * optimization. A listing asked to be `active` is `active` only with at least 3 files, all
 * optimized; until then it is `pending_active`, and `publish_failed` once one of them has failed.
 */
export const LISTING_STATUSES = ["draft", "active", "pending_active", "publish_failed"] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/** The statuses a client may ask for; the others are where the publication rule puts a listing. */
export const REQUESTED_LISTING_STATUSES = ["draft", "active"] as const;
export type RequestedListingStatus = (typeof REQUESTED_LISTING_STATUSES)[number];

export const MAX_LISTING_FILES = 20;
export const MIN_FILES_TO_PUBLISH = 3;
export const LISTING_TITLE_MAX_LENGTH = 500;

export const LISTING_LINK_ERRORS: LinkErrors = {
  alreadyHasExternalId: "LISTING_ALREADY_HAS_EXTERNAL_ID",
  hasNoExternalId: "LISTING_HAS_NO_EXTERNAL_ID",
  holderField: "listingId",
};

export function isListingStatus(value: string): value is ListingStatus {
  return (LISTING_STATUSES as readonly string[]).includes(value);
}

/** A photo of a listing: a file of the agency by id or external ID, or one to import from a URL. */
export type ListingFileRef = { id: number } | { externalFileId: string } | { url: string; externalFileId: string };

export interface ListingInput {
  externalId: string;
  title: string;
  status: RequestedListingStatus;
  files: ListingFileRef[];
}

const NEEDS_FILES = `an active listing needs at least ${MIN_FILES_TO_PUBLISH} files`;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `parse(value)`, or undefined with its ValidationError's problems added to `problems`. */
function collect<T>(problems: string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

function parseFileRef(entry: unknown, field: string, problems: string[]): ListingFileRef | undefined {
  if (!isObject(entry)) {
    problems.push(`${field} must be an object`);
    return undefined;
  }
  const { id, externalFileId, url } = entry;
  if (id !== undefined) {
    if (externalFileId !== undefined || url !== undefined) {
      problems.push(`${field} must give either id or externalFileId, not both`);
      return undefined;
    }
    const parsed = collect(problems, () => parseId(id, `${field}.id`));
    return parsed === undefined ? undefined : { id: parsed };
  }
  if (externalFileId === undefined && url === undefined) {
    problems.push(`${field} must have id or externalFileId`);
    return undefined;
  }
  const idProblems = externalIdProblems(externalFileId, `${field}.externalFileId`);
  problems.push(...idProblems);
  const source = url === undefined ? undefined : collect(problems, () => parseOutboundUrl(url, `${field}.url`));
  if (idProblems.length > 0 || (url !== undefined && source === undefined)) return undefined;
  return source
    ? { url: source.toString(), externalFileId: externalFileId as string }
    : { externalFileId: externalFileId as string };
}

/** A file named twice (same id, or same external ID) is refused. */
function identity(ref: ListingFileRef): string {
  return "id" in ref ? `id ${ref.id}` : `externalFileId ${ref.externalFileId}`;
}

function parseFileRefs(value: unknown, problems: string[]): ListingFileRef[] {
  if (!Array.isArray(value)) {
    problems.push("files must be an array");
    return [];
  }
  if (value.length > MAX_LISTING_FILES) {
    problems.push(`files must hold at most ${MAX_LISTING_FILES} items`);
    return [];
  }
  const refs: ListingFileRef[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry, index) => {
    const ref = parseFileRef(entry, `files[${index}]`, problems);
    if (!ref) return;
    const first = seen.get(identity(ref));
    if (first === undefined) seen.set(identity(ref), index);
    else problems.push(`files[${index}] is the same file as files[${first}]`);
    refs.push(ref);
  });
  return refs;
}

/** C0 and C1 control characters other than tab and line breaks (NUL could not even be stored). */
function hasControlCharacter(title: string): boolean {
  for (const char of title) {
    const code = char.codePointAt(0) ?? 0;
    if (code === 0x09 || code === 0x0a || code === 0x0d) continue;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function titleProblems(title: unknown): string[] {
  if (typeof title !== "string") return ["title must be a string"];
  const problems: string[] = [];
  if ([...title].length > LISTING_TITLE_MAX_LENGTH) {
    problems.push(`title must be at most ${LISTING_TITLE_MAX_LENGTH} characters`);
  }
  if (!title.isWellFormed()) problems.push("title must be valid Unicode text");
  else if (hasControlCharacter(title)) problems.push("title must not contain control characters");
  return problems;
}

/**
 * The body of `PUT /listings`: `externalId` (the external-ID rules), `title` (at most 500
 * characters, default ""), `status` ("draft" or "active", default "draft") and `files` (at most 20,
 * each `{id}`, `{externalFileId}` or `{url, externalFileId}`, none twice; default none), or a
 * ValidationError listing every problem.
 */
export function parseListingInput(body: unknown): ListingInput {
  if (!isObject(body)) throw new ValidationError(["body must be a JSON object"]);
  const problems = externalIdProblems(body.externalId);
  const title = body.title ?? "";
  problems.push(...titleProblems(title));
  const status = body.status ?? "draft";
  if (!(REQUESTED_LISTING_STATUSES as readonly unknown[]).includes(status)) {
    problems.push(`status must be one of ${REQUESTED_LISTING_STATUSES.join(", ")}`);
  }
  const files = parseFileRefs(body.files ?? [], problems);
  const count = Array.isArray(body.files) ? body.files.length : 0;
  if (status === "active" && count < MIN_FILES_TO_PUBLISH) problems.push(NEEDS_FILES);
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    externalId: body.externalId as string,
    title: title as string,
    status: status as RequestedListingStatus,
    files,
  };
}

/** Two entries that name different things but resolve to the same file are refused too. */
export function assertDistinctFiles(fileIds: readonly number[]): void {
  const problems = fileIds.flatMap((id, index) => {
    const first = fileIds.indexOf(id);
    return first < index ? [`files[${index}] is the same file as files[${first}]`] : [];
  });
  if (problems.length > 0) throw new ValidationError(problems);
}

export interface PublicationFile {
  id: number;
  externalId: string | null;
  optimization: OptimizationStatus;
}

export type PublicationOutcome =
  | { status: "draft" | "active" | "pending_active" }
  | { status: "publish_failed"; publicErrorMessage: string };

function describeFile(file: PublicationFile): string {
  return file.externalId === null ? `file ${file.id}` : `file ${file.id} (${file.externalId})`;
}

/**
 * Where a listing asked to be active stands with `files` (in order): `publish_failed` naming the
 * first file that failed; `active` with at least 3 files all optimized; else `pending_active`,
 * waiting (for the optimizer, or for the client to give more files).
 */
export function publicationOutcome(files: readonly PublicationFile[]): PublicationOutcome {
  const failed = files.find((file) => file.optimization === "failed");
  if (failed) return { status: "publish_failed", publicErrorMessage: `${describeFile(failed)} failed to optimize` };
  const ready = files.length >= MIN_FILES_TO_PUBLISH && files.every((file) => file.optimization === "success");
  return { status: ready ? "active" : "pending_active" };
}

/** The status a listing takes when a client asks for `requested` with `files`. */
export function planPublication(
  requested: RequestedListingStatus,
  files: readonly PublicationFile[],
): PublicationOutcome {
  if (requested === "draft") return { status: "draft" };
  if (files.length < MIN_FILES_TO_PUBLISH) throw new ValidationError([NEEDS_FILES]);
  return publicationOutcome(files);
}

/**
 * Whether a change from `before` (undefined for a new listing) to `after` publishes the listing: it
 * becomes active. Editing a listing that is already active publishes nothing again.
 */
export function isPublication(before: string | undefined, after: ListingStatus): boolean {
  return after === "active" && before !== "active";
}

/**
 * A file left a listing (it was deleted): an active listing left with fewer than 3 files waits
 * again; a waiting listing has its publication evaluated again (the file it waited on may be gone).
 */
export function afterFileRemoved(
  status: ListingStatus,
  remainingFiles: number,
): { status: ListingStatus; evaluate: boolean } {
  const next = status === "active" && remainingFiles < MIN_FILES_TO_PUBLISH ? "pending_active" : status;
  return { status: next, evaluate: next === "pending_active" };
}

/** The client job that waits for a listing's publication: its type, and the statuses in which it still waits. */
export const PUBLISH_JOB_TYPE = "publish_listing";
export const OPEN_PUBLISH_JOB_STATUSES = ["pending", "processing"] as const;

export interface PublishJobEnd {
  status: "completed" | "failed";
  resultData: { listingId: number } | null;
  publicErrorMessage: string | null;
}

/** How a listing's open publication job ends once its status is decided; undefined while it waits. */
export function publishJobEnd(listingId: number, outcome: PublicationOutcome): PublishJobEnd | undefined {
  switch (outcome.status) {
    case "pending_active":
      return undefined;
    case "active":
      return { status: "completed", resultData: { listingId }, publicErrorMessage: null };
    case "publish_failed":
      return { status: "failed", resultData: null, publicErrorMessage: outcome.publicErrorMessage };
    case "draft":
      return {
        status: "failed",
        resultData: null,
        publicErrorMessage: "publication cancelled: the listing was set to draft",
      };
  }
}

/** How a listing's open publication job ends when the listing is deleted. */
export const PUBLISH_CANCELLED_BY_DELETE: PublishJobEnd = {
  status: "failed",
  resultData: null,
  publicErrorMessage: "publication cancelled: the listing was deleted",
};

/** The graphile-worker job key of a listing's publication: wake-ups of one listing coalesce. */
export function publishListingJobKey(listingId: number): string {
  return `publish_listing:${listingId}`;
}

export function isOpenPublishJob(status: string): boolean {
  return (OPEN_PUBLISH_JOB_STATUSES as readonly string[]).includes(status);
}

/**
 * What the publication task does with its job and the listing, both read with the listing locked,
 * before it reads any file: `skip` when the job is decided already (not open, or not there) or the
 * listing no longer waits (an upsert decided, and ended the job itself); `cancel` the job when the
 * listing was deleted; else `evaluate` the listing's files.
 */
export function publicationTaskStep(
  job: { status: string } | undefined,
  listing: { status: string } | undefined,
): "skip" | "cancel" | "evaluate" {
  if (!job || !isOpenPublishJob(job.status)) return "skip";
  if (!listing) return "cancel";
  return listing.status === "pending_active" ? "evaluate" : "skip";
}

/**
 * What the publication task writes once it has read a waiting listing's `files` (in order): while
 * the listing waits, its job goes from `pending` to `processing` (`job` is absent when there is
 * nothing to write); once decided, the listing takes `status`, its job ends with `end`, and
 * `published` says whether the listing became active.
 */
export type PublicationStep =
  | { wait: true; job?: "processing" }
  | { wait: false; status: ListingStatus; end: PublishJobEnd; published: boolean };

export function publicationStep(
  listingId: number,
  jobStatus: string,
  files: readonly PublicationFile[],
): PublicationStep {
  const outcome = publicationOutcome(files);
  const end = publishJobEnd(listingId, outcome);
  if (!end) return jobStatus === "pending" ? { wait: true, job: "processing" } : { wait: true };
  return { wait: false, status: outcome.status, end, published: isPublication("pending_active", outcome.status) };
}

export interface ListingRecord {
  id: number;
  externalId: string | null;
  title: string;
  status: ListingStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface ListingFileRecord {
  id: number;
  externalId: string | null;
  contentType: string;
  size: number;
  optimization: OptimizationStatus;
}

export interface RestListing {
  id: number;
  externalId: string | null;
  title: string;
  status: ListingStatus;
  createdAt: string;
  updatedAt: string;
  files: ListingFileRecord[];
}

/** The listing of the REST contract, its files in the listing's order. */
export function toRestListing(listing: ListingRecord, files: readonly ListingFileRecord[]): RestListing {
  return {
    id: listing.id,
    externalId: listing.externalId,
    title: listing.title,
    status: listing.status,
    createdAt: listing.createdAt.toISOString(),
    updatedAt: listing.updatedAt.toISOString(),
    files: files.map((file) => ({
      id: file.id,
      externalId: file.externalId,
      contentType: file.contentType,
      size: file.size,
      optimization: file.optimization,
    })),
  };
}
