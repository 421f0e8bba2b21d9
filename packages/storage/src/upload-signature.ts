import { createHmac, timingSafeEqual } from "node:crypto";
import { assertValidKey } from "./storage.ts";

export interface UploadSignatureFields {
  key: string;
  /** Unix time in seconds after which the upload URL is refused. */
  expires: number;
  contentType: string;
  size: number;
}

/** Hex HMAC-SHA256 over the fields an upload URL grants. */
export function signUpload(secret: string, fields: UploadSignatureFields): string {
  const message = `${fields.key}\n${fields.expires}\n${fields.contentType}\n${fields.size}`;
  return createHmac("sha256", secret).update(message).digest("hex");
}

export interface UploadSignatureCheck {
  key: string;
  /** The `expires` query parameter, as sent or already parsed. */
  expires: number | string;
  /** The `signature` query parameter. */
  signature: string;
  /** The Content-Type the client sent. */
  contentType: string;
  /** The byte length the client sent (Content-Length). */
  size: number;
  secret: string;
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
}

/** True when `signature` was issued for exactly these fields with `secret` and has not expired. */
export function verifyUploadSignature(check: UploadSignatureCheck): boolean {
  const expires = typeof check.expires === "string" ? parseUnixSeconds(check.expires) : check.expires;
  if (!Number.isSafeInteger(expires) || expires < 0) return false;
  if ((check.now ?? Date.now()) >= expires * 1000) return false;
  if (!Number.isSafeInteger(check.size) || check.size < 0) return false;
  if (!isValidKey(check.key)) return false;
  if (!/^[0-9a-fA-F]{64}$/.test(check.signature)) return false;
  const expected = signUpload(check.secret, {
    key: check.key,
    expires,
    contentType: check.contentType,
    size: check.size,
  });
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(check.signature, "hex"));
}

function parseUnixSeconds(value: string): number {
  return /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
}

function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}
