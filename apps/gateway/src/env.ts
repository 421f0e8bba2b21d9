import os from "node:os";
import { databaseEnvSchema, describeEnvProblems } from "@darkroom/db";
import { parseHostList } from "@darkroom/domain";
import { storageEnvSchema } from "@darkroom/storage";
import { z } from "zod";

const MiB = 1024 * 1024;

const gatewayEnvSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
    HOST: z.string().min(1).default("0.0.0.0"),
    PUBLIC_URL: z.url().optional(),
    MAX_UPLOAD_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(2 * 1024 * MiB)
      .default(25 * MiB),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(300),
    UPLOAD_SIGNING_SECRET: z.string().min(16).optional(),
    OUTBOUND_ALLOW_HOSTS: z.string().max(10_000).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .extend(databaseEnvSchema.shape)
  .extend(storageEnvSchema.shape);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export interface GatewayConfig {
  /** Hosts that URL imports and webhooks may reach even on private addresses. */
  outboundAllowHosts: string[];
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  maxUploadBytes: number;
  rateLimitPerMinute: number;
  logLevel: GatewayEnv["LOG_LEVEL"];
  /** Where uploads are spooled while they stream in (never held whole in memory). */
  tmpDir: string;
  storageEnv: z.infer<typeof storageEnvSchema>;
  uploadSigningSecret: string | undefined;
}

/** Validates the gateway's environment; throws an Error naming every invalid variable. */
export function parseGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const parsed = gatewayEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeEnvProblems(parsed.error)}`);
  const e = parsed.data;
  return {
    outboundAllowHosts: parseHostList(e.OUTBOUND_ALLOW_HOSTS),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    logLevel: e.LOG_LEVEL,
    tmpDir: os.tmpdir(),
    storageEnv: e,
    uploadSigningSecret: e.UPLOAD_SIGNING_SECRET,
  };
}

/** The only place the gateway reads `process.env`. */
export function readGatewayConfig(): GatewayConfig {
  return parseGatewayConfig(process.env);
}
