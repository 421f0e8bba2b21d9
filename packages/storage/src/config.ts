import path from "node:path";
import { z } from "zod";
import { createFilesystemStorage, type FilesystemStorage } from "./filesystem.ts";
import { createS3Storage, type S3Storage } from "./s3.ts";

/** The storage variables every app reads (composed into each app's env module). Set S3_BUCKET to use S3. */
export const storageEnvSchema = z.object({
  S3_BUCKET: z.string().min(1).optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(["true", "false", "1", "0"]).optional(),
  S3_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export type StorageEnv = z.infer<typeof storageEnvSchema>;

export interface CreateStorageOptions {
  env: StorageEnv;
  /** Objects are kept under `<dataDir>/objects` when S3 is not configured. */
  dataDir: string;
  /** Base URL of the gateway, for the filesystem driver's file and upload URLs. */
  publicUrl: string;
  /** Secret for the filesystem driver's upload URLs. */
  signingSecret: string;
}

/**
 * S3 when S3_BUCKET is set, otherwise files under `<dataDir>/objects`. Narrow on `driver` to reach
 * the filesystem driver's `read`, which the gateway's file route serves from.
 */
export function createStorage({
  env,
  dataDir,
  publicUrl,
  signingSecret,
}: CreateStorageOptions): FilesystemStorage | S3Storage {
  if (!env.S3_BUCKET) {
    return createFilesystemStorage({ root: path.join(dataDir, "objects"), publicUrl, signingSecret });
  }
  return createS3Storage({
    bucket: env.S3_BUCKET,
    region: env.S3_REGION ?? "us-east-1",
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === undefined ? undefined : ["true", "1"].includes(env.S3_FORCE_PATH_STYLE),
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    publicUrl: env.S3_PUBLIC_URL,
  });
}
