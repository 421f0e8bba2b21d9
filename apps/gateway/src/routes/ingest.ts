import type { FastifyInstance } from "fastify";
import {
  bulkBody,
  idParams,
  jobStatusQuery,
  parseInput,
  uploadFromUrlBody,
  uploadUrlBody,
} from "../http/validation.ts";
import { runBulk } from "../services/bulk.ts";
import { completeUpload, createUploadUrl } from "../services/direct-upload.ts";
import { type ImportDeps, importFromUrl } from "../services/import.ts";
import { getClientJob } from "../services/jobs.ts";
import { routeDocs as D } from "./route-docs.ts";

export interface IngestRouteOptions extends ImportDeps {
  maxUploadBytes: number;
}

/** The ways in besides a multipart upload: URL imports, signed direct uploads, bulk operations, job status. */
export async function ingestRoutes(app: FastifyInstance, deps: IngestRouteOptions) {
  app.post("/media/upload-from-url", { config: { jsonBody: true, doc: D.uploadFromUrl } }, async (request, reply) => {
    const body = parseInput(uploadFromUrlBody, request.body);
    const result = await importFromUrl(deps, request.agency.id, { url: body.url, externalId: body.externalId });
    return reply.status(result.status).send(result.body);
  });

  app.post("/media/upload-url", { config: { jsonBody: true, doc: D.uploadUrl } }, async (request, reply) => {
    const body = parseInput(uploadUrlBody, request.body);
    return reply.status(201).send(await createUploadUrl(deps, request.agency.id, body));
  });

  app.post("/media/:id/complete", { config: { doc: D.complete } }, async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    return reply.status(202).send(await completeUpload(deps, request.agency.id, id));
  });

  app.post("/media/bulk", { config: { jsonBody: true, bulk: true, doc: D.bulk } }, async (request) => {
    const { operations } = parseInput(bulkBody, request.body);
    return runBulk(deps, request.agency.id, operations);
  });

  app.get("/job/status", { config: { doc: D.jobStatus } }, async (request) => {
    const { id } = parseInput(jobStatusQuery, request.query);
    return getClientJob(deps.db, request.agency.id, id);
  });
}
