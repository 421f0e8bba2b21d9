export const OPTIMIZATION_STATUSES = ["pending", "in_progress", "success", "failed"] as const;
export type OptimizationStatus = (typeof OPTIMIZATION_STATUSES)[number];

/**
 * The optimization state machine. A file is queued (`pending`), taken by a worker (`in_progress`),
 * and ends `success` or `failed`. A re-optimization queues it again from any state; a worker that
 * died mid-job hands it back to `pending` (or a retry takes it straight to `in_progress`).
 */
const transitions: Record<OptimizationStatus, readonly OptimizationStatus[]> = {
  pending: ["in_progress", "failed", "pending"],
  in_progress: ["success", "failed", "pending", "in_progress"],
  success: ["pending"],
  failed: ["pending"],
};

export function canTransition(from: OptimizationStatus, to: OptimizationStatus): boolean {
  return transitions[from].includes(to);
}

/** States from which a transition to `to` is allowed (for guarded UPDATE … WHERE status IN (…)). */
export function statesBefore(to: OptimizationStatus): OptimizationStatus[] {
  return OPTIMIZATION_STATUSES.filter((from) => canTransition(from, to));
}

export function isFinal(status: OptimizationStatus): boolean {
  return status === "success" || status === "failed";
}
