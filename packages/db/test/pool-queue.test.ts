/**
 * postgres.js keeps its pool's connections (and waiting queries) in a small queue. As published, a
 * queue that never empties (a busy pool under steady load) grows by one slot for every shift and
 * scans all of them on every remove, so each statement costs more the longer the load lasts (about
 * 55 µs a statement at first, 135 µs after 160,000). `patches/postgres@3.4.9.patch` compacts it;
 * these tests hold the patched queue to its contract and to constant work per operation.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

interface Queue<T> {
  readonly length: number;
  push(x: T): T;
  shift(): T | undefined;
  remove(x: T): T | null;
}

// The module the pool imports (postgres.js' ES build), found from the package's CommonJS entry point.
const cjsEntry = createRequire(import.meta.url).resolve("postgres"); // <package>/cjs/src/index.js
const esmQueue = path.join(path.dirname(cjsEntry), "../../src/queue.js");
const Queue = (await import(pathToFileURL(esmQueue).href)).default as <T>(initial?: T[]) => Queue<T>;

describe("postgres.js' pool queue (patched)", () => {
  it("is first in, first out, and removes any entry", () => {
    const queue = Queue<string>(["a", "b"]);
    queue.push("c");
    queue.push("d");
    expect(queue.length).toBe(4);
    expect(queue.shift()).toBe("a");
    expect(queue.remove("c")).toBe("c");
    expect(queue.remove("c")).toBeNull();
    expect(queue.remove("a")).toBeNull(); // shifted out already
    expect([queue.shift(), queue.shift(), queue.length]).toEqual(["b", "d", 0]);
    expect(queue.shift()).toBeUndefined();
  });

  it("keeps its order and contents through a busy pool's endless rotation", () => {
    const connections = ["c1", "c2", "c3"];
    const busy = Queue<string>(connections);
    const seen: string[] = [];
    // What the pool does for each statement while every connection is busy: take the next one,
    // move it (remove from its queue: not found, it was shifted), put it back at the end.
    for (let i = 0; i < 300_000; i++) {
      const connection = busy.shift() as string;
      busy.remove(connection);
      busy.push(connection);
      if (i % 100_000 < 3) seen.push(connection);
    }
    expect(seen).toEqual(["c1", "c2", "c3", "c2", "c3", "c1", "c3", "c1", "c2"]);
    expect(busy.length).toBe(3);
    // One connection goes idle: it leaves the busy queue from wherever it is.
    expect(busy.remove("c2")).toBe("c2");
    expect([busy.shift(), busy.shift(), busy.length]).toEqual(["c1", "c3", 0]);
  });

  it("does constant work per operation however long the rotation lasts", () => {
    const busy = Queue<object>([{}, {}]);
    const rotate = (times: number) => {
      const started = performance.now();
      for (let i = 0; i < times; i++) {
        const connection = busy.shift() as object;
        busy.remove(connection);
        busy.push(connection);
      }
      return performance.now() - started;
    };
    rotate(10_000); // warm up the JIT
    // As published, 200,000 rotations scan about 2·10^10 slots (tens of seconds); patched, they
    // take milliseconds. The bound is far from both.
    expect(rotate(200_000)).toBeLessThan(2_000);
  });
});
