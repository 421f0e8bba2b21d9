import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SNIFF_BYTES } from "@darkroom/domain";

const SPOOL_BUFFER_BYTES = 1024 * 1024;

/** An upload written to a temporary file while it streamed in, with what we learnt on the way. */
export interface SpooledFile {
  path: string;
  size: number;
  sha256: string;
  /** The first bytes, for sniffing the type. */
  head: Buffer;
  discard: () => Promise<void>;
}

/**
 * Streams `source` to a temporary file, hashing it and keeping its first bytes on the way, so the
 * upload is never held whole in memory. The file is removed if anything fails.
 */
export async function spoolToDisk(source: Readable, tmpDir: string): Promise<SpooledFile> {
  const filePath = path.join(tmpDir, `darkroom-upload-${randomUUID()}`);
  const discard = () => rm(filePath, { force: true });
  const hash = createHash("sha256");
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const observe = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      if (headLength < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - headLength);
        headChunks.push(Buffer.from(part));
        headLength += part.length;
      }
      callback(null, chunk);
    },
  });
  try {
    // Up to 1 MiB waits for the disk, written in batches: with the default 16 KiB every read chunk
    // waited for its own write, and a 4 MB upload spooled in 20-25 ms instead of 15.
    await pipeline(source, observe, createWriteStream(filePath, { flags: "wx", highWaterMark: SPOOL_BUFFER_BYTES }));
  } catch (error) {
    await discard();
    throw error;
  }
  return { path: filePath, size, sha256: hash.digest("hex"), head: Buffer.concat(headChunks), discard };
}
