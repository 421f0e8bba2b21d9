export { AUTH_CHANGED_CHANNEL, MEDIA_UPDATED_CHANNEL, type MediaUpdatedNotification } from "./channels.ts";
export { createDb, type Database, type DbOptions, READ_POOL_SIZE, type Sql, type Transaction } from "./client.ts";
export { databaseEnvSchema, defaultDataDir, describeEnvProblems } from "./config.ts";
export { isForeignKeyViolation, isUniqueViolation } from "./errors.ts";
export { pingDatabase } from "./health.ts";
export { type AddJobOptions, addJob, addJobCall, queueOptimization, waitingJobsByTask } from "./jobs.ts";
export { migrateDatabase } from "./migrate.ts";
export { preparedStatement } from "./prepared.ts";
export { type AgencyRepository, type AgencyRow, type AgencyStatus, agencyRepository } from "./repositories/agencies.ts";
export {
  type ClientJobChange,
  type ClientJobRepository,
  type ClientJobRow,
  clientJobRepository,
} from "./repositories/client-jobs.ts";
export { type ListingRepository, type ListingRow, listingRepository } from "./repositories/listings.ts";
export {
  type MediaRepository,
  type MediaRow,
  type MediaVariantRow,
  mediaRepository,
  type NewMedia,
} from "./repositories/media.ts";
export { HOT_READ_ONE, mediaReads, type ShownMedia, type ShownVariant } from "./repositories/media-reads.ts";
export {
  type OptimizationRepository,
  optimizationRepository,
  type StoredVariant,
  VARIANTS_OF_A_FILE,
} from "./repositories/optimization.ts";
export {
  type PendingUploadRepository,
  type PendingUploadRow,
  pendingUploadRepository,
} from "./repositories/pending-uploads.ts";
export {
  afterFileDeleted,
  endPublishJob,
  evaluatePublication,
  type HoldingListing,
  listingsHolding,
  settlePublication,
  wakeListingsWaitingOn,
} from "./repositories/publication.ts";
export { type WebhookRepository, webhookRepository } from "./repositories/webhooks.ts";
export * as schema from "./schema/index.ts";
export { recordDeliveries, recordEvent, webhooksListening } from "./webhooks.ts";
export { workerRecoveryRepository } from "./worker-recovery.ts";
