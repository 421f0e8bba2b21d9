import { DomainError } from "@darkroom/domain";
import type { Plugin } from "graphql-yoga";
import type { AgencyLookup } from "../auth/key-cache.ts";
import { authenticate } from "../http/authenticate.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import type { GraphQLServerContext } from "./context.ts";
import { toGraphQLError } from "./errors.ts";

/**
 * The API key of REST (`Authorization: ApiKey …` or `X-API-Key`), checked before the body is read,
 * so an upload without a valid key is never spooled, then the agency's rate limit, shared with REST.
 * Failures answer REST's status (401, 403, 400, 429) with `extensions.code`. GraphiQL's page is
 * served earlier (Yoga's `onRequest`) and needs no key.
 */
export function useApiKeys(agencyFor: AgencyLookup, rateLimit: RateLimiter): Plugin<object, GraphQLServerContext> {
  return {
    async onRequestParse({ serverContext }) {
      const { req, reply } = serverContext;
      try {
        req.agency = await authenticate(agencyFor, req.headers);
        rateLimit(req, reply);
      } catch (error) {
        throw error instanceof DomainError ? toGraphQLError(error, { httpStatus: true }) : error;
      }
    },
  };
}
