/** A fixed one-minute window of requests for one agency. */
export interface RateWindow {
  /** Start of the window, in milliseconds since the epoch. */
  startedAt: number;
  count: number;
}

export const RATE_WINDOW_MS = 60_000;

export interface RateDecision {
  window: RateWindow;
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window ends, in Unix seconds (the `X-RateLimit-Reset` header). */
  resetAt: number;
}

/** Counts one request against `limit` per minute; a new window starts once the last one is over. */
export function consumeRate(window: RateWindow | undefined, now: number, limit: number): RateDecision {
  const current = window && now - window.startedAt < RATE_WINDOW_MS ? window : { startedAt: now, count: 0 };
  const allowed = current.count < limit;
  const next = { startedAt: current.startedAt, count: allowed ? current.count + 1 : current.count };
  return {
    window: next,
    allowed,
    limit,
    remaining: Math.max(0, limit - next.count),
    resetAt: Math.ceil((current.startedAt + RATE_WINDOW_MS) / 1000),
  };
}
