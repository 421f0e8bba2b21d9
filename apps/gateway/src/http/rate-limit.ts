import { consumeRate, DomainError, type RateWindow } from "@darkroom/domain";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Bulk routes have their own, smaller budget. */
export const BULK_LIMIT_PER_MINUTE = 30;

/**
 * Per-agency rate limiting with a fixed one-minute window. Counters live in this gateway process:
 * with several gateways behind a load balancer, each allows the limit on its own.
 */
export function createRateLimiter(limitPerMinute: number) {
  const windows = new Map<string, RateWindow>();
  let lastSweep = Date.now();

  function sweep(now: number) {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const [key, window] of windows) if (now - window.startedAt >= 60_000) windows.delete(key);
  }

  /** Counts the request; sets the X-RateLimit headers; throws 429 past the limit. */
  return function limit(request: FastifyRequest, reply: FastifyReply): void {
    const bulk = request.routeOptions.config.bulk === true;
    const key = `${request.agency.id}:${bulk ? "bulk" : "all"}`;
    const now = Date.now();
    sweep(now);
    const decision = consumeRate(windows.get(key), now, bulk ? BULK_LIMIT_PER_MINUTE : limitPerMinute);
    windows.set(key, decision.window);
    reply.header("X-RateLimit-Limit", decision.limit);
    reply.header("X-RateLimit-Remaining", decision.remaining);
    reply.header("X-RateLimit-Reset", decision.resetAt);
    if (!decision.allowed) {
      reply.header("Retry-After", Math.max(1, decision.resetAt - Math.floor(now / 1000)));
      throw new DomainError("TOO_MANY_REQUESTS");
    }
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
