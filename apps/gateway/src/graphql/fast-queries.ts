import type { FastifyReply, FastifyRequest } from "fastify";
import { type DocumentNode, execute, type GraphQLSchema, getOperationAST, parse } from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import type { YogaServerInstance } from "graphql-yoga";
import type { AgencyLookup } from "../auth/key-cache.ts";
import { authenticate } from "../http/authenticate.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import type { GraphQLContext, GraphQLServerContext } from "./context.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The key was checked and the request counted against the rate limit (by the fast path). */
    graphqlAdmitted?: boolean;
  }
}

const PARAMS = new Set(["query", "variables", "operationName", "extensions"]);
/** Documents parsed by the fast path are kept, up to this many, of queries up to this long. */
const DOCUMENT_CACHE = { entries: 500, queryChars: 16 * 1024 };
const REGULAR_MEDIA_TYPES = ["application/graphql-response+json", "application/json"];

/**
 * The media type Yoga answers a regular result with for this `Accept` header, read as Yoga reads it
 * (the first listed type that takes JSON wins; q-values are ignored; a charset other than utf-8
 * disqualifies a type), or undefined when Yoga would answer otherwise (406, an event stream).
 */
export function regularMediaType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === "") return "application/json";
  for (const entry of accept.replace(/\s/g, "").toLowerCase().split(",")) {
    const [mediaType, ...params] = entry.split(";");
    const charset = params.find((param) => param.includes("charset=")) ?? "charset=utf-8";
    if (!mediaType || charset !== "charset=utf-8") continue;
    const [pre, suf] = mediaType.split("/");
    const matching = REGULAR_MEDIA_TYPES.filter((type) => {
      const [typePre, typeSuf] = type.split("/");
      return (pre === "*" || pre === typePre) && (suf === "*" || suf === typeSuf);
    });
    // Of the types one entry matches, Yoga settles on the last (a wildcard gets application/json).
    if (matching.length > 0) return matching[matching.length - 1];
  }
  return undefined;
}

interface KnownDocument {
  valid: boolean;
  runs: number;
  /** By operation name ("" for none): the compiled query, or undefined when it does not compile. */
  compiled: Map<string, CompiledQuery | undefined>;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** The body's GraphQL parameters when they are exactly what a plain query sends, else undefined. */
function plainParams(body: unknown): Params | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const params = body as Record<string, unknown>;
  for (const key in params) if (!PARAMS.has(key)) return undefined;
  const { query, variables, operationName, extensions } = params;
  if (typeof query !== "string" || extensions != null) return undefined;
  if (variables != null && (typeof variables !== "object" || Array.isArray(variables))) return undefined;
  if (operationName != null && typeof operationName !== "string") return undefined;
  return params as unknown as Params;
}

/**
 * A fast path for the bulk of frontends' traffic: a query POSTed as JSON, answered as JSON, without
 * Yoga's fetch-API layer and plugin chain (request and response objects, header copies, promise
 * chains, hooks run per request): about half of such a request's CPU. A document is validated once
 * through Yoga's own envelop (the same rules: depth, cost, aliases), and its verdict kept; a valid
 * query is executed over the same schema, with the context Yoga would make: by graphql-js the first
 * time, then compiled by graphql-jit (which spares collecting fields and coercing arguments anew each
 * time: about a tenth of such a request's CPU).
 *
 * It answers only when the answer is certain to be Yoga's: a valid query whose result has no errors
 * (the plugins that act on execution, such as error masking, change only errors), sent without CORS
 * preflight headers. Anything else (GET, multipart, mutations, subscriptions, invalid documents,
 * another `Accept`, a result with errors) returns false, and Yoga answers it in full; a query has no
 * side effects, so running it again there changes nothing. Key and rate limit are checked once:
 * `useApiKeys` skips a request the fast path admitted.
 */
export function createFastQueries(
  yoga: YogaServerInstance<GraphQLServerContext, GraphQLContext>,
  options: {
    /** The schema Yoga serves. */
    schema: GraphQLSchema;
    agencyFor: AgencyLookup;
    rateLimit: RateLimiter;
    /** The context Yoga's `context` option makes for a request. */
    context: (serverContext: GraphQLServerContext) => GraphQLContext;
  },
) {
  const { agencyFor, rateLimit } = options;
  // The fast path parses with its own cache, not Yoga's: Yoga's after-parse hooks (which add the
  // HTTP status to a syntax error) need its request object, and its cache would keep such an error
  // without them. A document that does not parse is left to Yoga.
  const documents = new Map<string, DocumentNode>();
  const documentOf = (query: string): DocumentNode | undefined => {
    let document = documents.get(query);
    if (document) return document;
    if (query.length > DOCUMENT_CACHE.queryChars) return undefined;
    try {
      document = parse(query);
    } catch {
      return undefined;
    }
    if (documents.size >= DOCUMENT_CACHE.entries) documents.clear();
    documents.set(query, document);
    return document;
  };
  // What the fast path knows of a document: whether it passes Yoga's validation (which depends on the
  // document alone: the schema and the limits are fixed, so it is asked once), how often it ran, and
  // its operations compiled by graphql-jit. A document is compiled when it comes a second time (a
  // client that inlines its values in every query would otherwise pay a compilation a request).
  const known = new WeakMap<DocumentNode, KnownDocument>();
  const knowledgeOf = (document: DocumentNode, serverContext: GraphQLServerContext): KnownDocument => {
    let entry = known.get(document);
    if (!entry) {
      const enveloped = yoga.getEnveloped(serverContext);
      let valid: boolean;
      try {
        valid = enveloped.validate(enveloped.schema, document).length === 0;
      } catch {
        valid = false; // the limits' rules throw rather than report
      }
      entry = { valid, runs: 0, compiled: new Map() };
      known.set(document, entry);
    }
    return entry;
  };
  const compiledOf = (entry: KnownDocument, document: DocumentNode, operationName: string | undefined) => {
    const key = operationName ?? "";
    if (!entry.compiled.has(key)) {
      const made = compileQuery(options.schema, document, operationName);
      entry.compiled.set(key, isCompiledQuery(made) ? made : undefined);
    }
    return entry.compiled.get(key);
  };

  return async function answerFast(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (req.method !== "POST") return false;
    const { headers } = req;
    if (!/^application\/json\s*(;|$)/i.test(headers["content-type"] ?? "")) return false;
    if (headers["access-control-request-method"] !== undefined) return false;
    if (headers["access-control-request-headers"] !== undefined) return false;
    const params = plainParams(req.body);
    const mediaType = regularMediaType(headers.accept);
    if (!params || !mediaType) return false;

    // Yoga checks the key before the body: a failure is left to it, to answer in its words (a request
    // refused for the rate limit is counted again there; past the limit, that changes nothing).
    try {
      req.agency = await authenticate(agencyFor, headers);
      rateLimit(req, reply);
    } catch {
      return false;
    }
    req.graphqlAdmitted = true;

    const document = documentOf(params.query);
    if (!document) return false;
    const serverContext = { req, reply };
    const entry = knowledgeOf(document, serverContext);
    if (!entry.valid) return false;
    if (getOperationAST(document, params.operationName)?.operation !== "query") return false;
    let result: Awaited<ReturnType<typeof execute>>;
    try {
      const operationName = params.operationName ?? undefined;
      const contextValue = options.context(serverContext);
      const compiled = entry.runs++ > 0 ? compiledOf(entry, document, operationName) : undefined;
      result = compiled
        ? await compiled.query(undefined, contextValue, params.variables ?? {})
        : await execute({
            schema: options.schema,
            document,
            contextValue,
            variableValues: params.variables,
            operationName,
          });
    } catch {
      return false;
    }
    if (result.errors?.length || result.extensions) return false;

    const origin = headers.origin;
    if (origin !== undefined) {
      // Yoga's default CORS answer to an actual (not preflight) request.
      reply.header("Access-Control-Allow-Origin", origin);
      reply.header("Vary", "Origin");
      reply.header("Access-Control-Allow-Credentials", "true");
    }
    reply.header("Content-Type", `${mediaType}; charset=utf-8`);
    reply.send(JSON.stringify(result));
    return true;
  };
}
