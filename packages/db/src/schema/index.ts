export * from "./agencies.ts";
export * from "./api-keys.ts";
export * from "./jobs.ts";
export * from "./listings.ts";
export * from "./media.ts";
export * from "./pending-uploads.ts";
export * from "./webhooks.ts";
export * from "./workers.ts";
