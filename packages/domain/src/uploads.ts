import { ValidationError } from "./errors.ts";
import { sanitizeFileName } from "./file-names.ts";
import { ACCEPTED_IMAGE_TYPES, type AcceptedImageType } from "./file-types.ts";

/** How long a signed direct-upload URL stays valid. */
export const DIRECT_UPLOAD_TTL_SECONDS = 30 * 60;

/** A declared file name longer than this (before sanitizing) is refused rather than shortened. */
export const MAX_DECLARED_FILE_NAME = 4096;

/**
 * The declared type, size and optional file name (kept sanitized, see `sanitizeFileName`) of a
 * direct upload, checked before any URL is signed.
 */
export function parseDirectUpload(input: { contentType: unknown; size: unknown; fileName?: unknown }): {
  contentType: AcceptedImageType;
  size: number;
  fileName: string | null;
} {
  const problems: string[] = [];
  const { contentType, size, fileName } = input;
  if (fileName != null && (typeof fileName !== "string" || fileName.length > MAX_DECLARED_FILE_NAME)) {
    problems.push(`fileName must be a string of at most ${MAX_DECLARED_FILE_NAME} characters`);
  }
  if (typeof contentType !== "string" || !Object.hasOwn(ACCEPTED_IMAGE_TYPES, contentType)) {
    problems.push(`contentType must be one of ${Object.keys(ACCEPTED_IMAGE_TYPES).join(", ")}`);
  }
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
    problems.push("size must be a positive integer (bytes)");
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { contentType: contentType as AcceptedImageType, size: size as number, fileName: sanitizeFileName(fileName) };
}

/** When a direct upload announced at `now` stops being valid. */
export function directUploadExpiry(now: Date): Date {
  return new Date(now.getTime() + DIRECT_UPLOAD_TTL_SECONDS * 1000);
}

/** Whether a direct upload valid until `expiresAt` can no longer be completed at `now`. */
export function isDirectUploadExpired(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= now.getTime();
}

/**
 * A direct upload completes only once its object is stored (`stored`, null or undefined when it is
 * not) with exactly the size declared when its URL was signed.
 */
export function assertDirectUploadStored<T extends { size: number }>(
  stored: T | null | undefined,
  declaredSize: number,
): asserts stored is T {
  if (!stored) throw new ValidationError(["the file has not been uploaded to uploadUrl yet"]);
  if (stored.size !== declaredSize) {
    throw new ValidationError([`the uploaded file has ${stored.size} bytes, not the ${declaredSize} declared`]);
  }
}
