// The entry of a HEIC decoder thread: a worker thread starts without the TypeScript loader of the
// process that started it (tsx, vitest), so it registers tsx before loading heic-worker.ts.
import { register } from "tsx/esm/api";

register();
await import("./heic-worker.ts");
