import type { Database, Sql } from "@darkroom/db";
import type { ObjectStorage } from "@darkroom/storage";
import type { AgencyLookup } from "./auth/key-cache.ts";
import type { GatewayConfig } from "./env.ts";
import type { RateLimiter } from "./http/rate-limit.ts";
import type { FileServer } from "./routes/files.ts";

/** What the gateway is built from (`buildApp`): its configuration and the services it talks to. */
export interface GatewayDeps {
  config: GatewayConfig;
  db: Database;
  sql: Sql;
  /** The pool of point reads (`createDb`'s `reads`). */
  reads: Sql;
  storage: ObjectStorage;
  /** Present when files are stored on the local filesystem and served by the gateway itself. */
  fileServer?: FileServer;
  /** Signs the filesystem driver's direct-upload URLs (present with `fileServer`). */
  uploadSigningSecret?: string;
}

/** What REST and GraphQL share to admit a request: one cache of the keys, one rate limit per agency. */
export interface Admission {
  agencyFor: AgencyLookup;
  rateLimit: RateLimiter;
}
