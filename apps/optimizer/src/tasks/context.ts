import type { Database } from "@darkroom/db";
import type { ObjectStorage } from "@darkroom/storage";
import type { OptimizerConfig } from "../env.ts";

/** What every task receives: the shared database, the object storage and the configuration. */
export interface TaskContext {
  db: Database;
  storage: ObjectStorage;
  config: OptimizerConfig;
}
