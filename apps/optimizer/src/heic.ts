import { Worker } from "node:worker_threads";
import sharp from "sharp";
import { Slots } from "./slots.ts";

/** What the main thread asks a decoder thread (heic-worker.ts). */
export interface HeicRequest {
  id: number;
  /** The file's bytes, or the path of a local file, which the thread reads itself. */
  input: Uint8Array | string;
  maxInputPixels: number;
}

/** A decoded image as an uncompressed TIFF (see tiff.ts), or why there is none. */
export type HeicReply =
  | { id: number; ok: true; tiff: Uint8Array; exif?: Uint8Array | undefined; heapBytes: number }
  | { id: number; ok: false; reason: string };

export interface HeicWorkerData {
  /** The ICC profile of Display P3, for images that name their colours by nclx primaries instead of a profile. */
  p3Profile: Uint8Array;
}

/** A HEIC image that cannot be decoded (its `message` says why, for a person). */
export class HeicDecodeError extends Error {
  override name = "HeicDecodeError";
}

export interface HeicDecoderOptions {
  /** Decoder threads at most: one for each image slot. */
  threads: number;
  /** A decoding (the thread's start included) that takes longer is abandoned, and its thread replaced. */
  timeoutMs: number;
  /**
   * A thread whose WebAssembly memory has grown past this is replaced after its image (that memory
   * never shrinks): one very large image does not keep its memory for the life of the process.
   */
  maxRetainedBytes?: number;
  /** The module each thread runs (default: heic-thread.mjs, which loads heic-worker.ts); tests give others. */
  threadModule?: URL;
}

/** A decoded HEIC image: an uncompressed TIFF with its colour profile, and the image's EXIF block if any. */
export interface DecodedHeic {
  tiff: Buffer;
  exif: Buffer | undefined;
}

export interface HeicDecoder {
  /** The primary image of a HEIC file, decoded by libheif (see `DecodedHeic`). */
  decode(input: Buffer | string, maxInputPixels: number): Promise<DecodedHeic>;
  /** Ends every decoder thread. */
  close(): Promise<void>;
}

/** About what a 24 MP image leaves behind; a 12 MP one leaves some 90 MB. */
const DEFAULT_MAX_RETAINED_BYTES = 256 * 1024 * 1024;

let p3Profile: Promise<Uint8Array> | undefined;
/** Display P3's ICC profile, as sharp (lcms) ships it. */
function displayP3Profile(): Promise<Uint8Array> {
  p3Profile ??= sharp({ create: { width: 1, height: 1, channels: 3, background: "#000000" } })
    .withIccProfile("p3")
    .png()
    .toBuffer()
    .then(async (png) => {
      const { icc } = await sharp(png).metadata();
      if (!icc) throw new Error("sharp attached no Display P3 profile");
      return new Uint8Array(icc);
    });
  return p3Profile;
}

/**
 * HEIC decoding in worker threads (libheif as WebAssembly), so that the event loop stays free: at
 * most `threads` at once, each started on first need and then kept warm. A thread that fails, dies
 * or passes the timeout is ended and replaced; the image it had fails with a reason.
 */
export function createHeicDecoder(options: HeicDecoderOptions): HeicDecoder {
  const slots = new Slots(options.threads);
  const idle: Worker[] = [];
  const all = new Set<Worker>();
  const maxRetainedBytes = options.maxRetainedBytes ?? DEFAULT_MAX_RETAINED_BYTES;
  let nextId = 0;
  let closed = false;

  async function start(): Promise<Worker> {
    const workerData: HeicWorkerData = { p3Profile: await displayP3Profile() };
    const worker = new Worker(options.threadModule ?? new URL("./heic-thread.mjs", import.meta.url), { workerData });
    worker.unref();
    all.add(worker);
    worker.once("exit", () => all.delete(worker));
    return worker;
  }

  function end(worker: Worker) {
    all.delete(worker);
    void worker.terminate();
  }

  function ask(worker: Worker, request: HeicRequest): Promise<HeicReply> {
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const onMessage = (reply: HeicReply) => {
        if (reply.id !== request.id) return;
        settle();
        resolve(reply);
      };
      const onError = (error: Error) => {
        settle();
        reject(new HeicDecodeError(`the HEIC decoder failed (${error.message.split("\n")[0]?.slice(0, 200)})`));
      };
      const onExit = (code: number) => {
        settle();
        reject(new HeicDecodeError(`the HEIC decoder stopped while decoding the image (exit code ${code})`));
      };
      const timer = setTimeout(() => {
        settle();
        reject(new HeicDecodeError(`decoding the HEIC image took longer than ${options.timeoutMs / 1000} s`));
      }, options.timeoutMs);
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage(request);
    });
  }

  return {
    decode: (input, maxInputPixels) =>
      slots.run(async () => {
        if (closed) throw new Error("the HEIC decoder is closed");
        const worker = idle.pop() ?? (await start());
        let reply: HeicReply;
        try {
          reply = await ask(worker, { id: nextId++, input, maxInputPixels });
        } catch (error) {
          end(worker);
          throw error;
        }
        if (closed || (reply.ok && reply.heapBytes > maxRetainedBytes)) end(worker);
        else idle.push(worker);
        if (!reply.ok) throw new HeicDecodeError(reply.reason);
        const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        return { tiff: asBuffer(reply.tiff), exif: reply.exif && asBuffer(reply.exif) };
      }),
    close: async () => {
      closed = true;
      idle.length = 0;
      await Promise.all([...all].map((worker) => worker.terminate()));
      all.clear();
    },
  };
}
