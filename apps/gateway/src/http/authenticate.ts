import { DomainError } from "@darkroom/domain";
import type { FastifyRequest } from "fastify";
import type { Agency } from "../auth/agencies.ts";
import type { AgencyLookup } from "../auth/key-cache.ts";

declare module "fastify" {
  interface FastifyRequest {
    agency: Agency;
  }
}

/** The key sent as `Authorization: ApiKey <key>` or `X-API-Key: <key>` (exactly one of them). */
export function presentedKey(headers: FastifyRequest["headers"]): string {
  const authorization = headers.authorization;
  const apiKeyHeader = headers["x-api-key"];
  const fromAuthorization = typeof authorization === "string" && authorization.length > 0;
  const fromHeader = apiKeyHeader !== undefined && apiKeyHeader !== "";
  if (fromAuthorization && fromHeader) throw new DomainError("MULTIPLE_AUTH_METHODS");
  if (fromAuthorization) {
    const match = /^ApiKey\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new DomainError("INVALID_API_KEY");
    return match[1];
  }
  if (fromHeader) {
    if (typeof apiKeyHeader !== "string") throw new DomainError("MULTIPLE_AUTH_METHODS");
    return apiKeyHeader.trim();
  }
  throw new DomainError("API_KEY_REQUIRED");
}

/** Resolves the caller's agency from its key, or throws the auth table's error. */
export async function authenticate(agencyFor: AgencyLookup, headers: FastifyRequest["headers"]): Promise<Agency> {
  const key = presentedKey(headers);
  if (key.length > 200) throw new DomainError("INVALID_API_KEY");
  const agency = await agencyFor(key);
  if (!agency) throw new DomainError("INVALID_API_KEY");
  if (agency.status === "suspended") throw new DomainError("AGENCY_SUSPENDED");
  return agency;
}
