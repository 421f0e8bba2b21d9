/**
 * The brands of an ISO-BMFF (HEIF, AVIF) file's `ftyp` box, and which image type they make it.
 * Pure: the first bytes in, a content type out.
 */

/** HEVC-coded HEIF: still images (heic, heix), sequences (hevc, hevx), layered and scalable (heim, heis). */
const HEIC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis"]);
/** The generic HEIF brands: a still image (mif1, mif2) or an image sequence (msf1), any codec. */
const HEIF_BRANDS = new Set(["mif1", "mif2", "msf1"]);
/** AV1-coded HEIF (sharp reads it itself). */
const AVIF_BRANDS = new Set(["avif", "avis"]);
/** The brands of image sequences (a track of frames, not necessarily a still image). */
const SEQUENCE_BRANDS = new Set(["msf1", "hevc", "hevx", "avis"]);

export interface FtypBrands {
  major: string;
  compatible: string[];
}

/** The `ftyp` box's brands (within the bytes given), or null when the bytes do not start with one. */
export function ftypBrands(head: Uint8Array): FtypBrands | null {
  if (head.length < 16) return null;
  const text = (from: number) => String.fromCharCode(...head.subarray(from, from + 4));
  if (text(4) !== "ftyp") return null;
  const size = (((head[0] ?? 0) << 24) | ((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0)) >>> 0;
  if (size < 16) return null;
  const end = Math.min(head.length, size);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= end; at += 4) compatible.push(text(at));
  return { major: text(8), compatible };
}

/**
 * The content type of a HEIF file from its brands: `image/heic` when a HEVC brand (heic, heix, hevc,
 * heim, heis…) is the major one, or a compatible one of a file that is not AVIF; `image/avif` for
 * an AV1 one; `image/heif` for the other HEIF brands (mif1, msf1 without a HEVC brand). Null when the
 * file is no HEIF (or has no `ftyp` box): other sniffing decides.
 */
export function heifContentType(head: Uint8Array): "image/heic" | "image/heif" | "image/avif" | null {
  const brands = ftypBrands(head);
  if (!brands) return null;
  if (HEIC_BRANDS.has(brands.major)) return "image/heic";
  if (AVIF_BRANDS.has(brands.major)) return "image/avif";
  const all = [brands.major, ...brands.compatible];
  if (!all.some((brand) => HEIF_BRANDS.has(brand) || HEIC_BRANDS.has(brand) || AVIF_BRANDS.has(brand))) return null;
  if (all.some((brand) => AVIF_BRANDS.has(brand))) return "image/avif";
  if (all.some((brand) => HEIC_BRANDS.has(brand))) return "image/heic";
  return "image/heif";
}

/** Whether the file's brands say it holds an image sequence (it may hold a still image as well). */
export function isHeifSequence(head: Uint8Array): boolean {
  const brands = ftypBrands(head);
  return brands !== null && [brands.major, ...brands.compatible].some((brand) => SEQUENCE_BRANDS.has(brand));
}
