import { taskPayloads } from "@darkroom/domain";
import type { Task } from "graphile-worker";
import type { TaskContext } from "./context.ts";

/**
 * Removes stored objects that deletes and re-optimizations left behind. Idempotent (a missing
 * object is fine), and retried with backoff while storage is unreachable.
 */
export function removeObjects(context: TaskContext): Task {
  return async (payload, helpers) => {
    const parsed = taskPayloads.remove_objects.safeParse(payload);
    if (!parsed.success) {
      helpers.logger.error(`remove_objects: ignoring a malformed payload: ${parsed.error.message}`);
      return;
    }
    const { keys, prefixes } = parsed.data;
    if (keys.length > 0) await context.storage.delete(keys);
    for (const prefix of prefixes) await context.storage.deletePrefix(prefix);
  };
}
