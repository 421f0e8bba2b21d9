// The entry of a HEIC decoder thread. A thread inherits its process's node flags: under tsx (how the
// optimizer runs) they load TypeScript already; elsewhere (vitest, plain node) tsx is registered here.
import { register } from "tsx/esm/api";

if (!process.execArgv.some((flag) => flag.includes("tsx"))) register();
await import("./heic-worker.ts");
