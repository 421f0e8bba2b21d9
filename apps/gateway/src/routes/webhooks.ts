import { WEBHOOK_EVENT_TYPES } from "@darkroom/domain";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { RouteDoc } from "../http/openapi.ts";
import { idParams, parseInput } from "../http/validation.ts";
import { createWebhook, deleteWebhook, listWebhooks, type WebhookDeps } from "../services/webhooks.ts";

const auth = {
  400: "Validation failed (message is an array) or both auth headers",
  401: "API key missing or invalid",
  403: "Agency is suspended",
  429: "Too Many Requests",
};
const tag = "Webhooks";

/** Checked by the domain's parseWebhookInput; this shape is what the OpenAPI document shows. */
const webhookBody = z.unknown().meta({
  type: "object",
  required: ["url", "events"],
  properties: {
    url: { type: "string", format: "uri", description: "http or https; public addresses only" },
    events: { type: "array", minItems: 1, uniqueItems: true, items: { enum: [...WEBHOOK_EVENT_TYPES] } },
  },
});

const docs = {
  create: {
    summary: "Add a webhook (Standard Webhooks signing; the secret is shown once)",
    tag,
    body: webhookBody,
    responses: { 201: "{id, url, events, secret}", ...auth },
  },
  list: { summary: "List the agency's webhooks (no secrets)", tag, responses: { 200: "{items}", ...auth } },
  remove: {
    summary: "Delete a webhook and its pending deliveries",
    tag,
    params: idParams,
    responses: { 200: "{deleted: true}", ...auth, 404: "Webhook not found (also: another agency's webhook)" },
  },
} satisfies Record<string, RouteDoc>;

/** Webhooks of the caller's agency: add, list, delete. Deliveries are the optimizer's `deliver_webhook`. */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps) {
  app.post("/webhooks", { config: { jsonBody: true, doc: docs.create } }, async (request, reply) => {
    const created = await createWebhook(deps, request.agency.id, request.body);
    if (!created) throw new Error("the authenticated agency does not exist");
    return reply.status(201).send(created);
  });

  app.get("/webhooks", { config: { doc: docs.list } }, async (request) => listWebhooks(deps, request.agency.id));

  app.delete("/webhooks/:id", { config: { doc: docs.remove } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    return deleteWebhook(deps, request.agency.id, id);
  });
}
