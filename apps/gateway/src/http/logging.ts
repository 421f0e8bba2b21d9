import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** The caller's `X-Request-Id` when it is a sane token, else a new one; echoed on every response. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * What a request log line says about the request: never a header (keys live there) and never a query
 * string (signed upload URLs carry their signature there).
 */
export function serializeRequest(request: { method?: string; url?: string; ip?: string }) {
  return { method: request.method, path: request.url?.split("?")[0], remoteAddress: request.ip };
}
