export const CLIENT_JOB_STATUSES = ["pending", "processing", "completed", "failed", "failed_retryable"] as const;
export type ClientJobStatus = (typeof CLIENT_JOB_STATUSES)[number];

export interface ClientJobRecord {
  id: number;
  type: string;
  status: ClientJobStatus;
  createdAt: Date;
  resultData: unknown;
  publicErrorMessage: string | null;
}

/** `GET /job/status`: the job a client started, as the REST contract shows it. */
export function toRestJob(job: ClientJobRecord) {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    createdAt: job.createdAt.toISOString(),
    resultData: job.resultData ?? null,
    publicErrorMessage: job.publicErrorMessage,
  };
}
