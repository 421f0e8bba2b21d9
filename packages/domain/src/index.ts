export * from "./errors.ts";
export * from "./external-id.ts";
export * from "./file-types.ts";
export * from "./input.ts";
export * from "./media.ts";
export * from "./optimization.ts";
export * from "./tasks.ts";
export * from "./variants.ts";
