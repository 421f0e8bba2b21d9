import { describe, expect, it } from "vitest";
import { Slots } from "./slots.ts";

/** A piece of work that runs until `finish` is called, noting when it started. */
function gate(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const work = () => {
    started.push(name);
    return done;
  };
  return { work, finish: () => finish() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("Slots", () => {
  it("runs at most `size` pieces of work at once, the others in the order they came", async () => {
    const slots = new Slots(2);
    const started: string[] = [];
    const [a, b, c, d] = [gate(started, "a"), gate(started, "b"), gate(started, "c"), gate(started, "d")];
    const runs = [a, b, c, d].map((g) => slots.run(g.work));
    await tick();
    expect(started).toEqual(["a", "b"]);
    b.finish();
    await tick();
    expect(started).toEqual(["a", "b", "c"]);
    a.finish();
    await tick();
    expect(started).toEqual(["a", "b", "c", "d"]);
    c.finish();
    d.finish();
    await Promise.all(runs);
  });

  it("frees the slot of work that fails, and passes the failure on", async () => {
    const slots = new Slots(1);
    await expect(slots.run(async () => Promise.reject(new Error("corrupt")))).rejects.toThrow("corrupt");
    await expect(slots.run(async () => "next")).resolves.toBe("next");
  });

  it("has at least one slot", async () => {
    const slots = new Slots(0);
    await expect(slots.run(async () => 42)).resolves.toBe(42);
  });
});
