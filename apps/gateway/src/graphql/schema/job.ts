import { CLIENT_JOB_STATUSES, type ClientJobStatus, parseId, type toRestJob } from "@darkroom/domain";
import { findClientJobs } from "../../services/jobs.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";

type RestJob = ReturnType<typeof toRestJob>;

const JobStatusEnum = builder.enumType("JobStatus", {
  description: "`PENDING` → `PROCESSING` → `COMPLETED` | `FAILED`; `FAILED_RETRYABLE` while a retry is due.",
  values: Object.fromEntries(CLIENT_JOB_STATUSES.map((status) => [status.toUpperCase(), { value: status }])) as Record<
    Uppercase<ClientJobStatus>,
    { value: ClientJobStatus }
  >,
});

/**
 * A job of the caller's agency (REST's `GET /job/status`); another agency's job answers like a
 * missing one. Fields returning `Job` may return a databaseId: the jobs are then loaded in one
 * batch per request, scoped to the caller's agency.
 */
const JobRef = builder.loadableNodeRef("Job", {
  load: (ids: number[], ctx: GraphQLContext) => findClientJobs(ctx.deps.db, ctx.agency.id, ids),
  sort: (job: RestJob) => job.id,
  id: { resolve: (job) => job.id, parse: (id) => parseId(id) },
});

JobRef.implement({
  description: "Background work a client started: a URL import (`import_media`) or a publication (`publish_listing`).",
  fields: (t) => ({
    databaseId: t.exposeInt("id", { description: "The id of the REST API (`/api/v1/job/status?id=`)." }),
    type: t.exposeString("type", { description: "`import_media` or `publish_listing`." }),
    status: t.expose("status", { type: JobStatusEnum }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    resultData: t.expose("resultData", {
      type: "JSON",
      nullable: true,
      description: 'Once completed: `{"mediaId"}` for an import, `{"listingId"}` for a publication.',
    }),
    publicErrorMessage: t.exposeString("publicErrorMessage", { nullable: true, description: "Why it failed." }),
  }),
});

builder.queryField("job", (t) =>
  t.field({
    type: JobRef,
    nullable: true,
    description: "A job of the caller's agency by its databaseId; null when there is none.",
    args: { id: t.arg.int({ required: true }) },
    resolve: (_root, { id }) => parseId(id, "id"),
  }),
);
