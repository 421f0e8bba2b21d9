import { Transform } from "node:stream";
import { ObjectSizeMismatchError } from "./storage.ts";

/**
 * Passes a body through while insisting it is exactly `size` bytes. The latest chunk is held back until
 * the source ends, so whatever reads this stream never receives all `size` bytes of a body that turns
 * out to be longer or shorter than declared.
 */
export function exactLength(key: string, size: number): Transform {
  let received = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > size) {
        callback(new ObjectSizeMismatchError(key, size, received));
        return;
      }
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback) {
      if (received !== size) {
        callback(new ObjectSizeMismatchError(key, size, received));
        return;
      }
      callback(null, held);
    },
  });
}
