import type { FastifyInstance } from "fastify";
import { z } from "zod";

/**
 * What the OpenAPI document says of a route. The request parts are the very zod schemas the
 * handler validates with (their JSON Schema comes from zod, with `meta` where a check is custom).
 */
export interface RouteDoc {
  summary: string;
  tag: string;
  /** No API key needed. */
  public?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** How the body is sent when it is not JSON. */
  bodyType?: "multipart" | "binary";
  /** Status → what it means. */
  responses: Record<number, string>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

export interface DocumentedRoute {
  method: string;
  url: string;
  doc: RouteDoc | undefined;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

const jsonSchemaOf = (schema: z.ZodType): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
};

/** `/media/:id` → `/media/{id}`; a wildcard is the object key. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, "{$1}").replace(/\*$/, "{key}");
}

function parameters(doc: RouteDoc, url: string) {
  const result: Record<string, unknown>[] = [];
  const pathSchema = doc.params ? jsonSchemaOf(doc.params) : undefined;
  for (const name of [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string)) {
    result.push({ name, in: "path", required: true, schema: pathSchema?.properties?.[name] ?? { type: "string" } });
  }
  if (url.endsWith("*")) result.push({ name: "key", in: "path", required: true, schema: { type: "string" } });
  const querySchema = doc.query ? jsonSchemaOf(doc.query) : undefined;
  for (const [name, schema] of Object.entries(querySchema?.properties ?? {})) {
    result.push({ name, in: "query", required: querySchema?.required?.includes(name) ?? false, schema });
  }
  return result;
}

function requestBody(doc: RouteDoc) {
  if (doc.bodyType === "multipart") {
    return {
      required: true,
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            required: ["file"],
            properties: {
              file: { type: "string", format: "binary", description: "the image; its type is sniffed from its bytes" },
              externalId: { type: "string", minLength: 1, maxLength: 255 },
            },
          },
        },
      },
    };
  }
  if (doc.bodyType === "binary") {
    return { required: true, content: { "*/*": { schema: { type: "string", format: "binary" } } } };
  }
  if (!doc.body) return undefined;
  return { required: true, content: { "application/json": { schema: jsonSchemaOf(doc.body) } } };
}

const errorBody = {
  type: "object",
  required: ["statusCode", "message", "error"],
  properties: {
    statusCode: { type: "integer" },
    message: { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    error: { type: "string", description: "the HTTP reason phrase" },
    code: { type: "string", description: "machine-readable, e.g. FILE_NOT_FOUND" },
  },
};

/** The OpenAPI 3.1 document of every documented route. */
export function openApiDocument(routes: DocumentedRoute[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { method, url, doc } of routes) {
    if (!doc || method === "OPTIONS") continue; // CORS preflights are not operations
    const path = openApiPath(url);
    const operation: Record<string, unknown> = {
      summary: doc.summary,
      tags: [doc.tag],
      parameters: parameters(doc, url),
      responses: Object.fromEntries(
        Object.entries(doc.responses).map(([status, description]) => [
          status,
          Number(status) >= 400
            ? { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }
            : { description },
        ]),
      ),
      ...(doc.public ? { security: [] } : {}),
    };
    const body = requestBody(doc);
    if (body) operation.requestBody = body;
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Darkroom",
      version: "1",
      description: "Media service for real-estate agencies: uploads, WebP variants, blurhash, listings.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKeyHeader: [] }, { authorization: [] }],
    components: {
      securitySchemes: {
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" },
        authorization: { type: "apiKey", in: "header", name: "Authorization", description: "ApiKey <key>" },
      },
      schemas: { Error: errorBody },
    },
    paths,
  };
}

/** Records the documentation of every route as it is registered (call before registering routes). */
export function collectRouteDocs(app: FastifyInstance): DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== "HEAD") routes.push({ method, url: route.url, doc: route.config?.doc });
    }
  });
  return routes;
}
