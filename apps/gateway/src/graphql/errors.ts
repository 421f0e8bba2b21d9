import type { DomainError } from "@darkroom/domain";
import type { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";

/**
 * What a client reads as `message`: the catalogue's message, or for a validation error its problems
 * (the strings REST sends as its `message` array), joined.
 */
export function messageOf(error: DomainError): string {
  // Not `instanceof`: the errors plugin hands resolvers a proxy of the error.
  const problems = (error as { problems?: unknown }).problems;
  return Array.isArray(problems) ? problems.join("; ") : error.message;
}

/**
 * By name, not `instanceof`: graphql-js has a CommonJS and an ESM build, and a test runner that
 * prefers the ESM one (vitest) gives this module another `GraphQLError` class than Yoga's.
 */
export function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError";
}

/**
 * A domain error raised outside a mutation's result union (authentication, queries, subscriptions)
 * as a GraphQL error with `extensions.code`; with `httpStatus`, the response carries REST's status.
 */
export function toGraphQLError(
  error: DomainError,
  options: { httpStatus?: boolean; located?: GraphQLError } = {},
): GraphQLError {
  const problems = (error as { problems?: unknown }).problems;
  const { located } = options;
  return createGraphQLError(messageOf(error), {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions } : {}),
    ...(located?.path ? { path: located.path } : {}),
    extensions: {
      code: error.code,
      ...(Array.isArray(problems) ? { problems } : {}),
      ...(options.httpStatus ? { http: { status: error.status } } : {}),
    },
  });
}
