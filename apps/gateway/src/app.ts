import { DomainError } from "@darkroom/domain";
import multipart from "@fastify/multipart";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { cachedAgencyLookup } from "./auth/key-cache.ts";
import type { GatewayDeps } from "./deps.ts";
import { graphqlRoutes } from "./graphql/yoga.ts";
import { authenticate } from "./http/authenticate.ts";
import { registerErrorHandling } from "./http/errors.ts";
import { awaitHandlersOnClose } from "./http/in-flight.ts";
import { requestId, serializeRequest } from "./http/logging.ts";
import { createGatewayMetrics, metricsRoutes } from "./http/metrics.ts";
import { collectRouteDocs } from "./http/openapi.ts";
import { createRateLimiter } from "./http/rate-limit.ts";
import { agencyRoutes } from "./routes/agency.ts";
import { docsRoutes } from "./routes/docs.ts";
import { fileRoutes } from "./routes/files.ts";
import { healthRoutes } from "./routes/health.ts";
import { ingestRoutes } from "./routes/ingest.ts";
import { listingRoutes } from "./routes/listings.ts";
import { mediaRoutes } from "./routes/media.ts";
import { uploadRoutes } from "./routes/uploads.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export type { Admission, GatewayDeps } from "./deps.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route takes a multipart body. */
    multipart?: boolean;
    /** The route takes a JSON body: any other content type answers 415. */
    jsonBody?: boolean;
    /** The route counts against the smaller bulk rate limit. */
    bulk?: boolean;
  }
  interface FastifyInstance {
    /** Every route registered, as "METHOD /url" (for the OpenAPI document and the isolation audit). */
    registeredRoutes: string[];
  }
}

/** JSON bodies over this answer 413 `Request body too large`. */
export const JSON_BODY_LIMIT = 512 * 1024;

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

function requireJsonContentType(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) {
  done(
    JSON_CONTENT_TYPE.test(request.headers["content-type"] ?? "")
      ? undefined
      : new DomainError("JSON_CONTENT_TYPE_REQUIRED"),
  );
}

export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      redact: ["req.headers.authorization", 'req.headers["x-api-key"]'],
      serializers: { req: serializeRequest },
    },
    genReqId: requestId,
    bodyLimit: JSON_BODY_LIMIT,
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
  });
  registerErrorHandling(app);
  awaitHandlersOnClose(app);
  const routes = collectRouteDocs(app);
  app.decorate("registeredRoutes", { getter: () => routes.map((route) => `${route.method} ${route.url}`) });
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("X-Request-Id", request.id);
    done();
  });
  const metrics = createGatewayMetrics(deps.sql);
  metrics.instrument(app);

  // An empty body with a JSON content type is no body (POST /media/:id/reoptimize from many clients).
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    parseJson(request, body as string, done);
  });

  await app.register(multipart, {
    limits: {
      fileSize: deps.config.maxUploadBytes,
      files: 1,
      fields: 5,
      fieldSize: 4096,
      parts: 10,
      headerPairs: 50,
    },
  });

  await app.register(docsRoutes, { routes, publicUrl: deps.config.publicUrl });
  await app.register(healthRoutes, { sql: deps.sql });
  await app.register(metricsRoutes, { metrics });
  if (deps.fileServer) await app.register(fileRoutes, { fileServer: deps.fileServer });
  // One budget per agency for REST and GraphQL alike, and one cache of the keys both accept.
  const rateLimit = createRateLimiter(deps.config.rateLimitPerMinute);
  const agencyFor = cachedAgencyLookup(deps.db, deps.sql);
  app.addHook("onClose", () => agencyFor.close());
  await agencyFor.ready;
  await app.register(graphqlRoutes, { ...deps, rateLimit, agencyFor });
  if (deps.uploadSigningSecret) {
    await app.register(uploadRoutes, {
      storage: deps.storage,
      signingSecret: deps.uploadSigningSecret,
      maxUploadBytes: deps.config.maxUploadBytes,
    });
  }

  await app.register(
    async (api) => {
      api.addHook("onRequest", async (request, reply) => {
        request.agency = await authenticate(agencyFor, request.headers);
        rateLimit(request, reply);
      });
      // Routes that take a JSON body refuse any other content type (checked on those routes only).
      api.addHook("onRoute", (route) => {
        if (route.config?.jsonBody !== true) return;
        route.preValidation = [...[route.preValidation ?? []].flat(), requireJsonContentType];
      });
      await api.register(agencyRoutes);
      await api.register(mediaRoutes, {
        db: deps.db,
        reads: deps.reads,
        storage: deps.storage,
        tmpDir: deps.config.tmpDir,
      });
      await api.register(ingestRoutes, {
        db: deps.db,
        reads: deps.reads,
        storage: deps.storage,
        outboundAllowHosts: deps.config.outboundAllowHosts,
        maxUploadBytes: deps.config.maxUploadBytes,
      });
      await api.register(listingRoutes, { db: deps.db, outboundAllowHosts: deps.config.outboundAllowHosts });
      await api.register(webhookRoutes, { db: deps.db, outboundAllowHosts: deps.config.outboundAllowHosts });
    },
    { prefix: "/api/v1" },
  );
  return app;
}
