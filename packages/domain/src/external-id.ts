import { DomainError, type ErrorCode, ValidationError } from "./errors.ts";

export const EXTERNAL_ID_MAX_LENGTH = 255;

/** C0 and C1 control characters, DEL included. */
function hasControlCharacter(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** Problems with a proposed external ID, named after `field`; empty when it is valid. */
export function externalIdProblems(value: unknown, field = "externalId"): string[] {
  if (typeof value !== "string") return [`${field} must be a string`];
  const problems: string[] = [];
  const length = [...value].length;
  if (length < 1 || length > EXTERNAL_ID_MAX_LENGTH) problems.push(`${field} must be 1-255 characters`);
  if (!value.isWellFormed()) problems.push(`${field} must be valid Unicode text`);
  else if (hasControlCharacter(value)) problems.push(`${field} must not contain control characters`);
  if (value.trim() !== value) problems.push(`${field} must not have leading or trailing spaces`);
  return problems;
}

/** The external ID itself, or a ValidationError listing every problem. */
export function parseExternalId(value: unknown, field = "externalId"): string {
  const problems = externalIdProblems(value, field);
  if (problems.length > 0) throw new ValidationError(problems);
  return value as string;
}

export interface LinkSubject {
  id: number;
  externalId: string | null;
}

export type LinkPlan = { action: "link" } | { action: "already-linked" };

/**
 * What a refused link or unlink answers, for the kind of thing that carries external IDs (files,
 * listings): the two conflicts, and the body field that names the holder of a taken external ID.
 */
export interface LinkErrors {
  alreadyHasExternalId: ErrorCode;
  hasNoExternalId: ErrorCode;
  holderField: string;
}

export const MEDIA_LINK_ERRORS: LinkErrors = {
  alreadyHasExternalId: "FILE_ALREADY_HAS_EXTERNAL_ID",
  hasNoExternalId: "FILE_HAS_NO_EXTERNAL_ID",
  holderField: "mediaId",
};

/**
 * Linking `externalId` to `subject` (a file unless `errors` says otherwise): idempotent when it
 * carries it already; refused when it carries another one, or when another one of the agency
 * (`holder`) carries it.
 */
export function planLink(
  subject: LinkSubject,
  externalId: string,
  holder: LinkSubject | null,
  errors: LinkErrors = MEDIA_LINK_ERRORS,
): LinkPlan {
  if (subject.externalId === externalId) return { action: "already-linked" };
  if (subject.externalId !== null) throw new DomainError(errors.alreadyHasExternalId);
  if (holder && holder.id !== subject.id) {
    throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", { [errors.holderField]: holder.id });
  }
  return { action: "link" };
}

/** Unlinking frees the subject's external ID; one carrying none cannot be unlinked. */
export function planUnlink(subject: LinkSubject, errors: LinkErrors = MEDIA_LINK_ERRORS): { externalId: string } {
  if (subject.externalId === null) throw new DomainError(errors.hasNoExternalId);
  return { externalId: subject.externalId };
}

export interface UploadHolder {
  id: number;
  sha256: string;
}

export type UploadPlan = { action: "create" } | { action: "reuse"; mediaId: number };

/**
 * An upload that carries an external ID already linked to a file of the agency is refused, except
 * a byte-identical retry (same SHA-256), which answers with the existing file so CRMs can retry safely.
 */
export function planUpload(sha256: string, holder: UploadHolder | null): UploadPlan {
  if (!holder) return { action: "create" };
  if (holder.sha256 === sha256) return { action: "reuse", mediaId: holder.id };
  throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", { mediaId: holder.id });
}

export interface ImportHolder {
  id: number;
  sourceUrl: string | null;
}

/**
 * The same rule for URL imports: an external ID already linked is refused, except a retry of the
 * import of the same URL, which answers with the existing file.
 */
export function planImport(url: string, holder: ImportHolder | null): UploadPlan {
  if (!holder) return { action: "create" };
  if (holder.sourceUrl === url) return { action: "reuse", mediaId: holder.id };
  throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", { mediaId: holder.id });
}
