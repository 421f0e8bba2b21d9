import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createStorage, type ObjectStorage } from "@darkroom/storage";
import type { GatewayConfig } from "./env.ts";
import type { FileServer } from "./routes/files.ts";

/**
 * The secret that signs direct-upload URLs of the filesystem driver: UPLOAD_SIGNING_SECRET, or one
 * generated once and kept under DATA_DIR so that restarts keep issued URLs valid.
 */
async function uploadSigningSecret(config: GatewayConfig): Promise<string> {
  if (config.uploadSigningSecret) return config.uploadSigningSecret;
  const file = path.join(config.dataDir, "upload-signing-secret");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    await mkdir(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString("base64url");
    await writeFile(file, secret, { flag: "wx", mode: 0o600 }).catch(() => undefined);
    return (await readFile(file, "utf8")).trim();
  }
}

export async function createGatewayStorage(
  config: GatewayConfig,
): Promise<{ storage: ObjectStorage; fileServer?: FileServer; uploadSigningSecret?: string }> {
  const signingSecret = await uploadSigningSecret(config);
  const created = createStorage({
    env: config.storageEnv,
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    signingSecret,
  });
  if (created.driver !== "filesystem") return { storage: created };
  return { storage: created, fileServer: created, uploadSigningSecret: signingSecret };
}
