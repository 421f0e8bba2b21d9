export { type EmbeddedDatabase, EmbeddedPostgresMissingError, freePort, startEmbeddedPostgres } from "./embedded.ts";
export { handleShutdown } from "./lifecycle.ts";
export { anyFreePort } from "./ports.ts";
export { resolveDatabase } from "./resolve.ts";
