import type { Database } from "@darkroom/db";
import type { ObjectStorage } from "@darkroom/storage";
import type { OptimizerConfig } from "../env.ts";
import type { Slots } from "../slots.ts";

/**
 * What every task receives: the shared database, the object storage, the configuration and the
 * optimizer's image slots.
 */
export interface TaskContext {
  db: Database;
  storage: ObjectStorage;
  config: OptimizerConfig;
  /** Held while an image is decoded and encoded: `config.concurrency` images at once. */
  imageSlots: Slots;
}
