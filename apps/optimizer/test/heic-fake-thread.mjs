// A stand-in decoder thread for the tests of heic.ts: it hangs, exits or throws when asked to
// (by the request's input), and otherwise answers a failure naming its thread id.
import { parentPort, threadId } from "node:worker_threads";

parentPort?.on("message", (request) => {
  if (request.input === "hang") return;
  if (request.input === "exit") process.exit(3);
  if (request.input === "throw") throw new Error("the fake decoder broke");
  parentPort?.postMessage({ id: request.id, ok: false, reason: `thread ${threadId}` });
});
