import { Transform } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Keeps the gateway's memory flat while uploads stream through it.
 *
 * An upload body arrives as thousands of small buffers, each garbage as soon as it is written to
 * disk. Their bytes live outside V8's heap, so nothing makes V8 collect them soon: a 20 MB upload
 * raised the process's peak RSS by about 20 MB. Instead, every `MINOR_EVERY` bytes of upload read
 * (across all uploads) run a young-generation collection, which frees them for the next ones to
 * reuse, and every `MAJOR_EVERY` a full one, for the few buffers a young collection found still in
 * flight and promoted. Measured by `pnpm bench:upload-memory` (figures in the README's Performance
 * section: one 20 MB upload raised the peak by about 20 MB before, a few MB after) with no slower
 * uploads. The gateway does nothing else that needs this: requests other than uploads never trigger it.
 */
const MINOR_EVERY = 4 * 1024 * 1024;
const MAJOR_EVERY = 32 * 1024 * 1024;

type Collect = (options: { type: "minor" | "major" }) => void;

// `gc` is only handed to contexts created after the flag is set.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as Collect;

let sinceMinor = 0;
let sinceMajor = 0;

/** Counts `bytes` of upload body read; collects garbage when enough has gone through. */
export function uploadBytesRead(bytes: number): void {
  sinceMinor += bytes;
  sinceMajor += bytes;
  if (sinceMajor >= MAJOR_EVERY) {
    sinceMajor = 0;
    sinceMinor = 0;
    collect({ type: "major" });
  } else if (sinceMinor >= MINOR_EVERY) {
    sinceMinor = 0;
    collect({ type: "minor" });
  }
}

/** A pass-through stream that counts what flows through it with `uploadBytesRead`. */
export function countedUploadBody(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      uploadBytesRead(chunk.length);
      callback(null, chunk);
    },
  });
}
