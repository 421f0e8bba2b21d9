import type { Database } from "@darkroom/db";
import type { ObjectStorage } from "@darkroom/storage";
import type { OptimizerConfig } from "../env.ts";
import type { HeicDecoder } from "../heic.ts";
import type { Slots } from "../slots.ts";

/**
 * What every task receives: the shared database, the object storage, the configuration, the
 * optimizer's image slots and its HEIC decoder.
 */
export interface TaskContext {
  db: Database;
  storage: ObjectStorage;
  config: OptimizerConfig;
  /** Held while an image is decoded and encoded: `config.concurrency` images at once. */
  imageSlots: Slots;
  /** Decodes HEIC originals in worker threads, one for each image slot. */
  heicDecoder: HeicDecoder;
}
