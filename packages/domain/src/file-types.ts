import { fileTypeFromBuffer } from "file-type";
import { heifContentType } from "./heif.ts";

/** Image formats we accept, by the MIME type sniffed from their bytes, with the extension we store them under. */
export const ACCEPTED_IMAGE_TYPES = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/avif": "avif",
  "image/tiff": "tiff",
  "image/heic": "heic",
  "image/heif": "heif",
} as const;

export type AcceptedImageType = keyof typeof ACCEPTED_IMAGE_TYPES;

/** How many leading bytes sniffing needs. */
export const SNIFF_BYTES = 4100;

/**
 * The accepted image type of a file, from its first bytes only (never the client's header or file
 * name), or null when the bytes are not an image format we accept. A HEIF file is typed from all of
 * its brands (`heifContentType`): an image sequence too is accepted, and the optimizer decides.
 */
export async function sniffImageType(head: Uint8Array): Promise<AcceptedImageType | null> {
  const heif = heifContentType(head);
  if (heif) return heif;
  const detected = await fileTypeFromBuffer(head);
  if (!detected) return hasTiffSignature(head) ? "image/tiff" : null;
  if (detected.mime === "image/apng") return "image/png"; // an animated PNG is a PNG (its first frame is used)
  return Object.hasOwn(ACCEPTED_IMAGE_TYPES, detected.mime) ? (detected.mime as AcceptedImageType) : null;
}

/**
 * TIFF writers often put the image directory after the pixels, beyond the bytes we sniff; the
 * signature is then enough, and the decoder has the last word.
 */
function hasTiffSignature(head: Uint8Array): boolean {
  const [a, b, c, d] = head;
  return (
    (a === 0x49 && b === 0x49 && c === 0x2a && d === 0x00) || (a === 0x4d && b === 0x4d && c === 0x00 && d === 0x2a)
  );
}

export function extensionFor(type: AcceptedImageType): string {
  return ACCEPTED_IMAGE_TYPES[type];
}
