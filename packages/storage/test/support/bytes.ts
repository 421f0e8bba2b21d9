import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

/** Deterministic pseudo-random bytes, different for each seed. */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** A stream that yields `bytes` in chunks of `chunkSize`. */
export function chunkedStream(bytes: Buffer, chunkSize = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize)
    chunks.push(bytes.subarray(offset, offset + chunkSize));
  return Readable.from(chunks);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Yields `bytes`, then pauses before ending, so a receiver has the bytes in hand while the stream is still open. */
export function lingeringStream(bytes: Buffer, pauseMs = 100): Readable {
  return Readable.from(
    (async function* () {
      yield* chunkedStream(bytes);
      await sleep(pauseMs);
    })(),
  );
}
