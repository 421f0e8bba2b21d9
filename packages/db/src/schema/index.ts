export * from "./agencies.ts";
export * from "./api-keys.ts";
export * from "./listings.ts";
export * from "./media.ts";
export * from "./workers.ts";
