import { DomainError } from "@darkroom/domain";
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { initContextCache } from "@pothos/core";
import type { FastifyError, FastifyInstance } from "fastify";
import type { DocumentNode } from "graphql";
import { createYoga, maskError } from "graphql-yoga";
import { LRUCache } from "lru-cache";
import type { Admission, GatewayDeps } from "../deps.ts";
import { clientErrorOf } from "../http/errors.ts";
import { routeDocs } from "../routes/route-docs.ts";
import { useApiKeys } from "./authentication.ts";
import { useCompiledQueries } from "./compiled-queries.ts";
import type { GraphQLContext, GraphQLDeps, GraphQLServerContext } from "./context.ts";
import { isGraphQLError, messageOf, toGraphQLError } from "./errors.ts";
import { createMediaEvents } from "./media-events.ts";
import { schema } from "./schema/index.ts";
import { useStreamedUploads } from "./uploads.ts";

/**
 * Bounds on what one operation may ask for (introspection is exempt). The cost counts 2 for an
 * object and 1 for a scalar, ×1.5 a level, × a literal `first`: a full page of 100 files with every
 * field costs about 9,600. A `first` sent as a variable escapes the cost, so aliases are bounded too
 * (and `first` itself is 1-100).
 */
export const GRAPHQL_LIMITS = { maxDepth: 10, maxCost: 20_000, maxAliases: 20 } as const;

/**
 * Yoga's caches of parsed documents (and of texts that do not parse): a frontend sends the same few
 * documents again and again. At most this many, of texts up to this long, and this many characters
 * of text in all: a parsed document takes about 70 times its text in memory, so a client sending
 * large documents that change every time cannot make the cache grow past about 18 MB. The
 * validation cache and graphql-jit's compilations are kept by document, so they go with it.
 */
export const GRAPHQL_DOCUMENT_CACHE = { entries: 500, entryChars: 16 * 1024, totalChars: 256 * 1024 } as const;

function documentCache<T extends object>() {
  return new LRUCache<string, T>({
    max: GRAPHQL_DOCUMENT_CACHE.entries,
    maxSize: GRAPHQL_DOCUMENT_CACHE.totalChars,
    maxEntrySize: GRAPHQL_DOCUMENT_CACHE.entryChars,
    sizeCalculation: (_value, text) => Math.max(1, text.length),
  });
}

/** The header multipart requests (and GET requests) must carry, so a browser cannot send them cross-site unasked. */
export const CSRF_HEADER = "x-graphql-yoga-csrf";

/**
 * Any one of these headers does: Yoga's own, and the one Apollo Client and apollo-upload-client send for
 * uploads (`Apollo-Require-Preflight: true`, Apollo's documented convention), so those clients work as
 * they are. Either forces a browser's preflight, which is what the check relies on.
 */
export const CSRF_HEADERS = [CSRF_HEADER, "apollo-require-preflight"] as const;

/**
 * `/graphql`: Yoga over the Pothos schema, mounted as Fastify's documentation shows. GraphiQL answers
 * a browser's GET; subscriptions are served over Server-Sent Events.
 */
export async function graphqlRoutes(app: FastifyInstance, deps: GatewayDeps & Admission) {
  const mediaEvents = createMediaEvents(deps.sql);
  app.addHook("onClose", () => mediaEvents.close());
  const graphqlDeps: GraphQLDeps = {
    db: deps.db,
    reads: deps.reads,
    storage: deps.storage,
    mediaEvents,
    outboundAllowHosts: deps.config.outboundAllowHosts,
    maxUploadBytes: deps.config.maxUploadBytes,
  };

  const log =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) => {
      for (const arg of args) app.log[level](arg instanceof Error ? { err: arg } : { detail: arg }, "graphql");
    };

  const context = ({ req }: GraphQLServerContext): GraphQLContext => ({
    agency: req.agency,
    deps: graphqlDeps,
    ...initContextCache(),
  });
  const yoga = createYoga<GraphQLServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: { title: "Darkroom GraphQL", headers: JSON.stringify({ "X-API-Key": "" }) },
    logging: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    // Yoga's multipart parser holds every file in memory: useStreamedUploads replaces it.
    multipart: false,
    // Fastify has already bounded every other body (JSON_BODY_LIMIT); multipart has its own limits.
    maxRequestBodySize: false,
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const original = isGraphQLError(error) ? error.originalError : error;
        if (original instanceof DomainError) {
          return toGraphQLError(original, isGraphQLError(error) ? { located: error } : {});
        }
        return maskError(error, message, isDev);
      },
    },
    parserAndValidationCache: { documentCache: documentCache<DocumentNode>(), errorCache: documentCache<Error>() },
    context,
    // No response cache (useResponseCache): every answer is one agency's, and what it shows changes
    // outside this process (the optimizer sets a file's status and variants, REST writes the same
    // rows), which a cache invalidated by GraphQL mutations would not see; it would serve stale status.
    plugins: [
      useCSRFPrevention({ requestHeaders: [...CSRF_HEADERS] }),
      useApiKeys(deps.agencyFor, deps.rateLimit),
      useStreamedUploads({ tmpDir: deps.config.tmpDir, maxUploadBytes: deps.config.maxUploadBytes }),
      maxDepthPlugin({ n: GRAPHQL_LIMITS.maxDepth, flattenFragments: true }),
      costLimitPlugin({ maxCost: GRAPHQL_LIMITS.maxCost }),
      maxAliasesPlugin({ n: GRAPHQL_LIMITS.maxAliases }),
      useCompiledQueries(log("error")),
    ],
  });

  // Errors Fastify raises before Yoga runs (a JSON body over the limit, invalid JSON) answer in GraphQL's shape.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const clientError = clientErrorOf(error, request);
    if (!clientError) throw error;
    return reply
      .status(clientError.status)
      .send({ errors: [{ message: messageOf(clientError), extensions: { code: clientError.code } }] });
  });

  app.route({
    url: yoga.graphqlEndpoint,
    method: ["GET", "POST", "OPTIONS"],
    config: { doc: routeDocs.graphql },
    handler: async (req, reply) => {
      // Multipart bodies reach Yoga unread: @fastify/multipart's content-type parser only marks the
      // request, and useStreamedUploads reads the parts as they stream.
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      response.headers.forEach((value, key) => {
        // Node frames the body itself (a length, or chunks for a stream).
        if (key !== "content-length" && key !== "transfer-encoding") reply.header(key, value);
      });
      reply.status(response.status);
      // An event stream or a multipart answer (a subscription, incremental delivery) is streamed; any
      // other answer is complete already, and is sent in one write rather than chunk by chunk.
      const streamed = /^(text\/event-stream|multipart\/)/i.test(response.headers.get("content-type") ?? "");
      reply.send(streamed || !response.body ? response.body : Buffer.from(await response.arrayBuffer()));
      return reply;
    },
  });
}
