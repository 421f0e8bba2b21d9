import os from "node:os";
import { databaseEnvSchema, describeEnvProblems } from "@darkroom/db";
import { parseHostList } from "@darkroom/domain";
import { storageEnvSchema } from "@darkroom/storage";
import { z } from "zod";

const optimizerEnvSchema = z
  .object({
    OPTIMIZER_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    MAX_INPUT_PIXELS: z.coerce.number().int().min(1).max(1_000_000_000).default(100_000_000),
    MAX_UPLOAD_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(2 * 1024 * 1024 * 1024)
      .default(25 * 1024 * 1024),
    PUBLIC_URL: z.url().optional(),
    PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
    OPTIMIZER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
    IMPORT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
    HEIC_DECODE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
    OUTBOUND_ALLOW_HOSTS: z.string().max(10_000).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .extend(databaseEnvSchema.shape)
  .extend(storageEnvSchema.shape);

export interface OptimizerConfig {
  /** Hosts that URL imports and webhooks may reach even on private addresses. */
  outboundAllowHosts: string[];
  databaseUrl: string | undefined;
  dataDir: string;
  cores: number;
  /** Images decoded and encoded at once (default: CPU cores); the worker holds `JOBS_PER_IMAGE_SLOT` times as many jobs. */
  concurrency: number;
  maxInputPixels: number;
  /** Where `GET /metrics` is served (0: not served). */
  metricsPort: number;
  /** Deadline of one URL import's download, redirects included. */
  importTimeoutMs: number;
  /** Deadline of one HEIC decoding (libheif, in a worker thread); past it the thread is replaced and the file fails. */
  heicDecodeTimeoutMs: number;
  maxUploadBytes: number;
  publicUrl: string;
  logLevel: z.infer<typeof optimizerEnvSchema>["LOG_LEVEL"];
  storageEnv: z.infer<typeof storageEnvSchema>;
}

/** Validates the optimizer's environment; throws an Error naming every invalid variable. */
export function parseOptimizerConfig(env: Record<string, string | undefined>): OptimizerConfig {
  const parsed = optimizerEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeEnvProblems(parsed.error)}`);
  const e = parsed.data;
  return {
    outboundAllowHosts: parseHostList(e.OUTBOUND_ALLOW_HOSTS),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    cores: Math.max(1, os.availableParallelism()),
    concurrency: e.OPTIMIZER_CONCURRENCY ?? Math.max(1, os.availableParallelism()),
    maxInputPixels: e.MAX_INPUT_PIXELS,
    metricsPort: e.OPTIMIZER_METRICS_PORT,
    importTimeoutMs: e.IMPORT_TIMEOUT_SECONDS * 1000,
    heicDecodeTimeoutMs: e.HEIC_DECODE_TIMEOUT_SECONDS * 1000,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    logLevel: e.LOG_LEVEL,
    storageEnv: e,
  };
}

/** The only place the optimizer reads `process.env`. */
export function readOptimizerConfig(): OptimizerConfig {
  return parseOptimizerConfig(process.env);
}
