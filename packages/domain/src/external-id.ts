import { DomainError, ValidationError } from "./errors.ts";

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
 * Linking `externalId` to `file`: idempotent when the file carries it already; refused when the
 * file carries another one, or when another file of the agency (`holder`) carries it.
 */
export function planLink(file: LinkSubject, externalId: string, holder: LinkSubject | null): LinkPlan {
  if (file.externalId === externalId) return { action: "already-linked" };
  if (file.externalId !== null) throw new DomainError("FILE_ALREADY_HAS_EXTERNAL_ID");
  if (holder && holder.id !== file.id) throw new DomainError("EXTERNAL_ID_ALREADY_LINKED", { mediaId: holder.id });
  return { action: "link" };
}

/** Unlinking frees the file's external ID; a file carrying none cannot be unlinked. */
export function planUnlink(file: LinkSubject): { externalId: string } {
  if (file.externalId === null) throw new DomainError("FILE_HAS_NO_EXTERNAL_ID");
  return { externalId: file.externalId };
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
