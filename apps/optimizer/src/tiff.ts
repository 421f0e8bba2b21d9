/**
 * An uncompressed baseline TIFF around 8-bit RGB or RGBA pixels, with their ICC profile: how
 * decoded HEIC pixels reach sharp. sharp's `raw` input cannot carry a colour profile, and a TIFF
 * can; libvips reads an uncompressed one at the speed of a copy, and then converts it to sRGB
 * like any other image with an embedded profile.
 */

export interface UncompressedTiff {
  /** The whole file. */
  file: Buffer;
  /** The part of `file` that holds the pixels, row after row, for the caller to fill in. */
  pixels: Buffer;
}

const SHORT = 3;
const LONG = 4;
const UNDEFINED = 7;
/** Bytes of one strip, about: libtiff reads a strip at a time. */
const STRIP_BYTES = 256 * 1024;
const MAX_FILE_BYTES = 2 ** 32 - 1;

/** A TIFF file of `width` × `height` pixels of `channels` (3: RGB, 4: RGBA, unassociated alpha) bytes each. */
export function uncompressedTiff(width: number, height: number, channels: 3 | 4, icc?: Uint8Array): UncompressedTiff {
  const rowBytes = width * channels;
  const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(STRIP_BYTES / rowBytes)));
  const strips = Math.ceil(height / rowsPerStrip);

  type Entry = { tag: number; type: number; values: number[] | Uint8Array };
  const entries: Entry[] = [
    { tag: 256, type: LONG, values: [width] },
    { tag: 257, type: LONG, values: [height] },
    { tag: 258, type: SHORT, values: Array(channels).fill(8) },
    { tag: 259, type: SHORT, values: [1] }, // no compression
    { tag: 262, type: SHORT, values: [2] }, // RGB
    { tag: 273, type: LONG, values: Array(strips).fill(0) }, // strip offsets, set below
    { tag: 277, type: SHORT, values: [channels] },
    { tag: 278, type: LONG, values: [rowsPerStrip] },
    {
      tag: 279,
      type: LONG,
      values: Array.from({ length: strips }, (_, i) => Math.min(rowsPerStrip, height - i * rowsPerStrip) * rowBytes),
    },
    { tag: 284, type: SHORT, values: [1] }, // interleaved
  ];
  if (channels === 4) entries.push({ tag: 338, type: SHORT, values: [2] }); // unassociated alpha
  if (icc && icc.length > 0) entries.push({ tag: 34675, type: UNDEFINED, values: icc });

  const sizeOf = (entry: Entry) => entry.values.length * (entry.type === LONG ? 4 : entry.type === SHORT ? 2 : 1);
  const ifdBytes = 2 + entries.length * 12 + 4;
  let externalBytes = 0;
  for (const entry of entries) if (sizeOf(entry) > 4) externalBytes += sizeOf(entry) + (sizeOf(entry) % 2);
  const pixelOffset = 8 + ifdBytes + externalBytes;
  const total = pixelOffset + rowBytes * height;
  if (total > MAX_FILE_BYTES) throw new RangeError("the image is too large for one TIFF file");

  const stripOffsets = entries.find((entry) => entry.tag === 273)?.values as number[];
  for (let i = 0; i < strips; i++) stripOffsets[i] = pixelOffset + i * rowsPerStrip * rowBytes;

  // A buffer of its own (never a slice of Node's pool), so that a worker thread can transfer it.
  const file = Buffer.from(new ArrayBuffer(total));
  file.write("II", 0, "latin1");
  file.writeUInt16LE(42, 2);
  file.writeUInt32LE(8, 4);
  file.writeUInt16LE(entries.length, 8);
  let external = 8 + ifdBytes;
  const writeValues = (entry: Entry, at: number) => {
    if (entry.values instanceof Uint8Array) {
      file.set(entry.values, at);
      return;
    }
    entry.values.forEach((value, i) => {
      if (entry.type === LONG) file.writeUInt32LE(value, at + i * 4);
      else file.writeUInt16LE(value, at + i * 2);
    });
  };
  entries.forEach((entry, index) => {
    const at = 10 + index * 12;
    file.writeUInt16LE(entry.tag, at);
    file.writeUInt16LE(entry.type, at + 2);
    file.writeUInt32LE(entry.values.length, at + 4);
    const size = sizeOf(entry);
    if (size <= 4) {
      writeValues(entry, at + 8);
    } else {
      file.writeUInt32LE(external, at + 8);
      writeValues(entry, external);
      external += size + (size % 2);
    }
  });
  file.writeUInt32LE(0, 10 + entries.length * 12); // no next IFD
  return { file, pixels: file.subarray(pixelOffset) };
}
