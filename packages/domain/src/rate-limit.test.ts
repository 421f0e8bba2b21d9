import { describe, expect, it } from "vitest";
import { consumeRate, RATE_WINDOW_MS } from "./rate-limit.ts";

describe("consumeRate", () => {
  it("allows `limit` requests in a window, then refuses until the window ends", () => {
    const start = 1_800_000_000_000;
    let window: ReturnType<typeof consumeRate>["window"] | undefined;
    const allowed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const decision = consumeRate(window, start + i, 3);
      window = decision.window;
      allowed.push(decision.allowed);
      expect(decision.resetAt).toBe(Math.ceil((start + RATE_WINDOW_MS) / 1000));
    }
    expect(allowed).toEqual([true, true, true, false]);
    const later = consumeRate(window, start + RATE_WINDOW_MS, 3);
    expect(later).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("counts remaining down to zero, never below", () => {
    const first = consumeRate(undefined, 0, 1);
    expect(first.remaining).toBe(0);
    expect(consumeRate(first.window, 1, 1)).toMatchObject({ allowed: false, remaining: 0 });
  });
});
