export { AUTH_CHANGED_CHANNEL, MEDIA_UPDATED_CHANNEL, type MediaUpdatedNotification } from "./channels.ts";
export { createDb, type Database, type DbOptions, READ_POOL_SIZE, type Sql, type Transaction } from "./client.ts";
export { databaseEnvSchema, defaultDataDir, describeEnvProblems } from "./config.ts";
export { isForeignKeyViolation, isUniqueViolation } from "./errors.ts";
export { type AddJobOptions, addJob, addJobCall, queueOptimization } from "./jobs.ts";
export { migrateDatabase } from "./migrate.ts";
export { preparedStatement } from "./prepared.ts";
export * as schema from "./schema/index.ts";
export { recordDeliveries, recordEvent, webhooksListening } from "./webhooks.ts";
