import { CLIENT_JOB_STATUSES, type ClientJobStatus, DomainError, parseId, type toRestJob } from "@darkroom/domain";
import { getClientJob } from "../../services/jobs.ts";
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

/** The caller's job (REST's `GET /job/status`), or null: another agency's job answers like a missing one. */
async function findJob(ctx: GraphQLContext, id: number): Promise<RestJob | null> {
  try {
    return await getClientJob(ctx.deps.db, ctx.agency.id, id);
  } catch (error) {
    if (error instanceof DomainError && error.code === "JOB_NOT_FOUND") return null;
    throw error;
  }
}

const JobRef = builder.objectRef<RestJob>("Job");

builder.node(JobRef, {
  description: "Background work a client started: a URL import (`import_media`) or a publication (`publish_listing`).",
  id: { resolve: (job) => job.id, parse: (id) => parseId(id) },
  loadOne: (id, ctx) => findJob(ctx, id),
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
    resolve: (_root, { id }, ctx) => findJob(ctx, parseId(id, "id")),
  }),
);
