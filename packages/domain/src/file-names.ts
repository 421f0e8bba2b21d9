/** The longest file name shown (in characters), as most file systems allow. */
export const MAX_FILE_NAME_LENGTH = 255;
/** An extension this long or shorter is kept when a long name is shortened. */
const MAX_KEPT_EXTENSION = 16;

/** C0 and C1 controls, and the invisible marks that reorder text (a name could pose as another). */
const UNWANTED = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * The name a file is shown under, from what a client declared (a multipart part's file name, a
 * direct upload's `fileName`): its last path segment (some clients send `C:\Users\…\IMG_0001.HEIC`),
 * in NFC, without control characters, trimmed, at most 255 characters (the extension kept when the
 * name is shortened). Null when nothing is left, or for `.` and `..`.
 */
export function sanitizeFileName(declared: unknown): string | null {
  if (typeof declared !== "string") return null;
  const segment = declared.normalize("NFC").split(/[/\\]/).at(-1) ?? "";
  const name = segment.replace(UNWANTED, "").trim();
  if (name === "" || name === "." || name === "..") return null;
  return shorten(name);
}

/** At most MAX_FILE_NAME_LENGTH characters (code points: a surrogate pair is never split). */
function shorten(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
  const kept = extension.length > 1 && extension.length <= MAX_KEPT_EXTENSION ? extension : [];
  return (
    chars
      .slice(0, MAX_FILE_NAME_LENGTH - kept.length)
      .join("")
      .trimEnd() + kept.join("")
  ).trim();
}

/**
 * The file name of an imported URL: its path's last segment, percent-decoded, then as
 * `sanitizeFileName` makes it; null when the path ends with `/` (`https://host/` names no file).
 */
export function fileNameFromUrl(url: string): string | null {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return null;
  }
  const segment = path.slice(path.lastIndexOf("/") + 1);
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // a malformed escape: the segment as it is
  }
  return sanitizeFileName(decoded);
}
