import type { FastifyReply, FastifyRequest } from "fastify";
import type { Agency } from "../auth/agencies.ts";
import type { MediaDeps } from "../services/media-store.ts";
import type { MediaEvents } from "./media-events.ts";

export interface GraphQLDeps extends MediaDeps {
  mediaEvents: MediaEvents;
  /** Hosts exempt from the outbound address rules (URL imports, listings' URL files). */
  outboundAllowHosts: readonly string[];
  /** The size limit of uploads, direct ones included. */
  maxUploadBytes: number;
}

/**
 * What every resolver receives: the caller's agency (every read and write is scoped to it) and the
 * services' dependencies. The DataLoaders of loadable types live in this object too, one set per
 * request, kept by Pothos' context cache (`initContextCache()` where the context is made).
 */
export interface GraphQLContext {
  agency: Agency;
  deps: GraphQLDeps;
}

/** What the Fastify route hands Yoga with each request. */
export interface GraphQLServerContext {
  req: FastifyRequest;
  reply: FastifyReply;
}
