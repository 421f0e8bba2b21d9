import type { Readable } from "node:stream";

export interface PutOptions {
  contentType: string;
  /** Exact byte length of the body; a body of any other length is refused and nothing is stored. */
  size: number;
}

export interface PutFileOptions extends PutOptions {
  /**
   * The caller no longer needs the file: a driver may move it into the store instead of copying it
   * (the filesystem driver does when both are on one filesystem). Either way it is the caller's to
   * remove afterwards, which is harmless when it is gone.
   */
  move?: boolean;
}

export interface StoredObject {
  size: number;
  contentType: string;
  etag: string;
}

export interface PresignedPut {
  url: string;
  /** Headers the client must send with its PUT. */
  headers: Record<string, string>;
}

export interface ObjectStorage {
  put(key: string, body: Readable | Buffer, options: PutOptions): Promise<void>;
  /** Stores the local file at `filePath` (which must be `options.size` bytes long) under `key`. */
  putFile(key: string, filePath: string, options: PutFileOptions): Promise<void>;
  /** Throws ObjectNotFoundError when there is no object at `key`. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<StoredObject | null>;
  /**
   * The object's file on this machine, when the driver keeps objects as local files (the filesystem
   * driver), so a reader that opens files itself (libvips) reads it without copying it through this
   * process's memory; undefined when the driver has no local files. With local files, throws
   * ObjectNotFoundError when there is no object at `key`.
   */
  localFile(key: string): Promise<{ path: string; size: number } | undefined>;
  /** Missing keys are ignored. */
  delete(keys: string[]): Promise<void>;
  /** Removes every object whose key starts with `prefix + "/"`; nothing to remove is fine. */
  deletePrefix(prefix: string): Promise<void>;
  /** An absolute URL a client can GET the object from. */
  url(key: string): Promise<string>;
  presignPut(key: string, options: PutOptions & { expiresInSeconds: number }): Promise<PresignedPut>;
  /** Throws when the store cannot be reached (health and readiness probes). */
  check(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No object at key "${key}"`);
    this.name = "ObjectNotFoundError";
  }
}

export class InvalidKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Invalid object key ${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key)}: ${reason}`);
    this.name = "InvalidKeyError";
  }
}

/** The body handed to `put` was not exactly `options.size` bytes long. */
export class ObjectSizeMismatchError extends Error {
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly received: number,
  ) {
    super(`Body for "${key}" is ${received > expected ? "longer" : "shorter"} than the declared ${expected} bytes`);
    this.name = "ObjectSizeMismatchError";
  }
}

export const MAX_KEY_LENGTH = 512;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Keys (and prefixes) are 1-512 characters: segments of [A-Za-z0-9._-] joined by single "/",
 * with no "." or ".." segment and no leading or trailing slash.
 */
export function assertValidKey(key: string): void {
  if (typeof key !== "string" || key.length === 0) throw new InvalidKeyError(String(key), "must not be empty");
  if (key.length > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `must be at most ${MAX_KEY_LENGTH} characters`);
  for (const segment of key.split("/")) {
    if (segment === "") throw new InvalidKeyError(key, "must not start or end with '/' or contain '//'");
    if (segment === "." || segment === "..") throw new InvalidKeyError(key, "must not contain '.' or '..' segments");
    if (!SEGMENT.test(segment)) throw new InvalidKeyError(key, "may only contain A-Z a-z 0-9 . _ - and '/'");
  }
}

export function assertValidSize(key: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`Size for "${key}" must be a non-negative integer, got ${size}`);
  }
}

/** Content types end up in HTTP headers and upload signatures: one printable line. */
export function assertValidContentType(contentType: string): void {
  if (typeof contentType !== "string" || !/^[\x20-\x7e]{1,255}$/.test(contentType)) {
    throw new TypeError(`Invalid content type ${JSON.stringify(contentType)}`);
  }
}

export const MIN_PRESIGN_SECONDS = 60;
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

/** Clamps a presigned URL's lifetime to 60 seconds..7 days, the range S3 accepts. */
export function clampPresignSeconds(seconds: number): number {
  if (!Number.isFinite(seconds)) throw new RangeError(`Invalid expiry ${seconds}`);
  return Math.min(Math.max(Math.floor(seconds), MIN_PRESIGN_SECONDS), MAX_PRESIGN_SECONDS);
}
