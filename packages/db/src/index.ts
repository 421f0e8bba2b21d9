export { MEDIA_UPDATED_CHANNEL, type MediaUpdatedNotification } from "./channels.ts";
export { createDb, type Database, type DbOptions, type Sql } from "./client.ts";
export { databaseEnvSchema, defaultDataDir, describeEnvProblems } from "./config.ts";
export { type EmbeddedDatabase, startEmbeddedPostgres } from "./embedded.ts";
export { isUniqueViolation } from "./errors.ts";
export { type AddJobOptions, addJob } from "./jobs.ts";
export { migrateDatabase } from "./migrate.ts";
export { resolveDatabase } from "./resolve.ts";
export * as schema from "./schema/index.ts";
