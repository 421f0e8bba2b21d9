import { ValidationError } from "./errors.ts";
import { ACCEPTED_IMAGE_TYPES, type AcceptedImageType } from "./file-types.ts";

/** How long a signed direct-upload URL stays valid. */
export const DIRECT_UPLOAD_TTL_SECONDS = 30 * 60;

/** The declared type and size of a direct upload, checked before any URL is signed. */
export function parseDirectUpload(input: { contentType: unknown; size: unknown }): {
  contentType: AcceptedImageType;
  size: number;
} {
  const problems: string[] = [];
  const { contentType, size } = input;
  if (typeof contentType !== "string" || !Object.hasOwn(ACCEPTED_IMAGE_TYPES, contentType)) {
    problems.push(`contentType must be one of ${Object.keys(ACCEPTED_IMAGE_TYPES).join(", ")}`);
  }
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
    problems.push("size must be a positive integer (bytes)");
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { contentType: contentType as AcceptedImageType, size: size as number };
}
