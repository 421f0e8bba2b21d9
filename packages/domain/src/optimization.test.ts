import { describe, expect, it } from "vitest";
import {
  canTransition,
  isFinal,
  OPTIMIZATION_STATUSES,
  type OptimizationStatus,
  statesBefore,
} from "./optimization.ts";

describe("canTransition", () => {
  it("OPTIMIZATION_STATUSES: the four statuses of the contract", () => {
    expect(OPTIMIZATION_STATUSES).toEqual(["pending", "in_progress", "success", "failed"]);
  });

  it.each([
    ["pending", "in_progress", "a worker takes a queued file"],
    ["in_progress", "success", "the worker finishes"],
    ["in_progress", "failed", "the worker fails"],
    ["pending", "failed", "a URL import whose download failed"],
    ["success", "pending", "re-optimization of a ready file"],
    ["failed", "pending", "re-optimization of a failed file"],
    ["in_progress", "pending", "a dead worker hands the file back"],
    ["in_progress", "in_progress", "a retry takes it straight again"],
    ["pending", "pending", "re-optimization of a queued file"],
  ] as const)("canTransition: %s → %s is allowed (%s)", (from, to, _why) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    ["success", "in_progress", "a worker cannot take a ready file without re-optimization"],
    ["failed", "success", "a failed file cannot become ready without going through the queue"],
    ["failed", "in_progress", "a failed file must be queued again first"],
    ["pending", "success", "nothing is ready without a worker"],
    ["success", "failed", "a ready file does not fail later"],
    ["failed", "failed", "no-op on a final state"],
    ["success", "success", "no-op on a final state"],
  ] as const)("canTransition: %s → %s is refused (%s)", (from, to, _why) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it("canTransition: every status can be queued again (re-optimization from any state)", () => {
    for (const from of OPTIMIZATION_STATUSES) expect(canTransition(from, "pending"), from).toBe(true);
  });
});

describe("statesBefore", () => {
  it("statesBefore: in_progress is reached from pending and in_progress (retries) only", () => {
    expect(statesBefore("in_progress")).toEqual(["pending", "in_progress"]);
  });

  it("statesBefore: success is reached from in_progress only", () => {
    expect(statesBefore("success")).toEqual(["in_progress"]);
  });

  it("statesBefore: failed is reached from pending and in_progress", () => {
    expect(statesBefore("failed")).toEqual(["pending", "in_progress"]);
  });

  it("statesBefore: pending is reached from every state", () => {
    expect(statesBefore("pending")).toEqual(["pending", "in_progress", "success", "failed"]);
  });

  it("statesBefore: agrees with canTransition for every pair", () => {
    for (const to of OPTIMIZATION_STATUSES) {
      for (const from of OPTIMIZATION_STATUSES) {
        expect(statesBefore(to).includes(from), `${from} → ${to}`).toBe(canTransition(from, to));
      }
    }
  });
});

describe("isFinal", () => {
  it.each([
    ["pending", false],
    ["in_progress", false],
    ["success", true],
    ["failed", true],
  ] as [OptimizationStatus, boolean][])("isFinal: %s is %s", (status, final) => {
    expect(isFinal(status)).toBe(final);
  });

  it("isFinal: a final state only leaves by being queued again", () => {
    for (const from of OPTIMIZATION_STATUSES.filter(isFinal)) {
      expect(OPTIMIZATION_STATUSES.filter((to) => canTransition(from, to))).toEqual(["pending"]);
    }
  });
});
