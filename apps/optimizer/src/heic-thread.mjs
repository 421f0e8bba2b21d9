// The entry of a HEIC decoder thread: tsx's loader (of `tsx main.ts` or `node --import tsx`) does not
// reach worker threads, and vitest's never does, so the thread registers tsx before loading heic-worker.ts.
import { register } from "tsx/esm/api";

register();
await import("./heic-worker.ts");
