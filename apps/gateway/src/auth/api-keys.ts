import crypto, { createHash, randomBytes } from "node:crypto";

const PREFIX = "drk_";

/** A new API key: a fixed prefix (so leaked keys are recognisable) and 256 random bits. */
export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

/**
 * Keys are stored as their SHA-256 only. A key has 256 bits of entropy, so a fast hash is enough;
 * the lookup compares hashes through a unique index, which leaks nothing usable about the key.
 */
export function hashApiKey(key: string): string {
  // `crypto.hash` (Node 20.12+) digests in one call, without a Hash object: every request pays this.
  return oneShotHash ? oneShotHash("sha256", key, "hex") : createHash("sha256").update(key, "utf8").digest("hex");
}

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
