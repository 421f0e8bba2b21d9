/**
 * When a photo was taken, from its EXIF block: `DateTimeOriginal`, with `OffsetTimeOriginal` when
 * the camera wrote one. EXIF is a small TIFF structure; only the two tags are read, never GPS or
 * anything else. Pure: bytes in, an ISO 8601 string (or null) out.
 */

const EXIF_IFD_POINTER = 0x8769;
const DATE_TIME_ORIGINAL = 0x9003;
const OFFSET_TIME_ORIGINAL = 0x9011;
const ASCII = 2;
/** The earliest year a photograph can have (the oldest surviving one is from 1826). */
export const EARLIEST_CAPTURE_YEAR = 1826;
/** A capture time later than now by more than this is a camera whose clock was wrong. */
const FUTURE_SLACK_MS = 36 * 3600 * 1000; // a day, plus the widest time zone offset

/**
 * Where the TIFF structure starts in an EXIF block as image formats carry it: bare (TIFF, WebP,
 * PNG), after `Exif\0\0` (JPEG's APP1, libvips), or after HEIF's 4-byte offset to the TIFF header.
 */
function tiffStart(block: Uint8Array): number | undefined {
  const isTiffAt = (at: number) =>
    at + 8 <= block.length &&
    ((block[at] === 0x49 && block[at + 1] === 0x49 && block[at + 2] === 42 && block[at + 3] === 0) ||
      (block[at] === 0x4d && block[at + 1] === 0x4d && block[at + 2] === 0 && block[at + 3] === 42));
  if (isTiffAt(0)) return 0;
  const exifHeader = [0x45, 0x78, 0x69, 0x66, 0, 0];
  if (exifHeader.every((byte, i) => block[i] === byte) && isTiffAt(6)) return 6;
  if (block.length >= 4) {
    const skip = new DataView(block.buffer, block.byteOffset, block.byteLength).getUint32(0);
    for (const at of [4 + skip, 4 + skip + 6]) if (skip < block.length && isTiffAt(at)) return at;
  }
  return undefined;
}

/** The ASCII tags of the EXIF block's Exif IFD that are asked for, by tag number. */
function exifAsciiTags(block: Uint8Array, wanted: readonly number[]): Map<number, string> {
  const found = new Map<number, string>();
  const start = tiffStart(block);
  if (start === undefined) return found;
  const tiff = new DataView(block.buffer, block.byteOffset + start, block.byteLength - start);
  const little = tiff.getUint8(0) === 0x49;
  const u16 = (at: number) => (at + 2 <= tiff.byteLength ? tiff.getUint16(at, little) : undefined);
  const u32 = (at: number) => (at + 4 <= tiff.byteLength ? tiff.getUint32(at, little) : undefined);

  /** The entries of the IFD at `offset`, as [tag, type, count, value-or-offset field's position]. */
  function* entries(offset: number): Generator<[number, number, number, number]> {
    const count = u16(offset);
    if (count === undefined) return;
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      const tag = u16(at);
      const type = u16(at + 2);
      const n = u32(at + 4);
      if (tag === undefined || type === undefined || n === undefined || at + 12 > tiff.byteLength) return;
      yield [tag, type, n, at + 8];
    }
  }

  const ifd0 = u32(4);
  if (ifd0 === undefined) return found;
  let exifIfd: number | undefined;
  for (const [tag, , , field] of entries(ifd0)) if (tag === EXIF_IFD_POINTER) exifIfd = u32(field);
  if (exifIfd === undefined || exifIfd === ifd0) return found;
  for (const [tag, type, count, field] of entries(exifIfd)) {
    if (!wanted.includes(tag) || type !== ASCII || count > 64) continue;
    const at = count <= 4 ? field : u32(field);
    if (at === undefined || at + count > tiff.byteLength) continue;
    const bytes = new Uint8Array(tiff.buffer, tiff.byteOffset + at, count);
    found.set(
      tag,
      String.fromCharCode(...bytes)
        .replace(/\0.*$/s, "")
        .trim(),
    );
  }
  return found;
}

const DATE_TIME = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/**
 * An EXIF date and time (`2024:06:01 14:22:03`) and offset (`+02:00`) as ISO 8601
 * (`2024-06-01T14:22:03+02:00`; without an offset, a local time: `2024-06-01T14:22:03`). Null for
 * what is no real date (`0000:00:00 00:00:00`, blanks, February 30th), for a year before 1826, or
 * for a time more than a day after `now`. An invalid offset is left out.
 */
export function capturedAtOf(dateTime: string | undefined, offset: string | undefined, now: Date): string | null {
  const parts = dateTime === undefined ? null : DATE_TIME.exec(dateTime);
  if (!parts) return null;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  if (
    year < EARLIEST_CAPTURE_YEAR ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  const zone = offset === undefined ? null : OFFSET.exec(offset);
  const zoneMinutes =
    zone && Number(zone[2]) <= 14 && Number(zone[3]) < 60 ? Number(zone[2]) * 60 + Number(zone[3]) : null;
  const signed = zone && zoneMinutes !== null ? (zone[1] === "-" ? -zoneMinutes : zoneMinutes) : 0;
  if (utc - signed * 60_000 > now.getTime() + FUTURE_SLACK_MS) return null;
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const local = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
  return zone && zoneMinutes !== null ? `${local}${zone[0]}` : local;
}

/** When the photo whose EXIF block this is was taken (see `capturedAtOf`); null without a valid date. */
export function capturedAtFromExif(block: Uint8Array | undefined, now: Date): string | null {
  if (!block || block.length < 8) return null;
  const tags = exifAsciiTags(block, [DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL]);
  return capturedAtOf(tags.get(DATE_TIME_ORIGINAL), tags.get(OFFSET_TIME_ORIGINAL), now);
}
