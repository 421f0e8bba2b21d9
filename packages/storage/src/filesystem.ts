import { randomUUID } from "node:crypto";
import { type BigIntStats, constants } from "node:fs";
import {
  access,
  copyFile,
  type FileHandle,
  lstat,
  mkdir,
  open,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { contentTypeForKey } from "./content-type.ts";
import { exactLength } from "./exact-length.ts";
import {
  assertValidContentType,
  assertValidKey,
  assertValidSize,
  clampPresignSeconds,
  InvalidKeyError,
  ObjectNotFoundError,
  ObjectSizeMismatchError,
  type ObjectStorage,
  type StoredObject,
} from "./storage.ts";
import { signUpload } from "./upload-signature.ts";

export interface FilesystemStorageOptions {
  /** Directory that holds the objects, one file per key; created when needed. */
  root: string;
  /** Base URL of the gateway that serves `/files/<key>` and accepts `/uploads/<key>`. */
  publicUrl: string;
  /** Secret for the HMAC on presigned upload URLs. */
  signingSecret: string;
}

/** An object opened for an HTTP response; the caller must consume or destroy `stream`. */
export interface ServableObject extends StoredObject {
  stream: Readable;
}

export interface FilesystemStorage extends ObjectStorage {
  readonly driver: "filesystem";
  /** Opens an object for serving, or null when there is none at `key`. */
  read(key: string): Promise<ServableObject | null>;
}

/** Where partial writes live until they are renamed into place; never a valid key prefix. */
const TEMP_DIR = ".tmp";

/** Objects are read in 1 MiB chunks: fewer round trips through the event loop for whole-file reads. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Objects are files under `root/<key>`. The content type is implied by the key's extension
 * (see contentTypeForKey), so `PutOptions.contentType` is not stored.
 */
export function createFilesystemStorage(options: FilesystemStorageOptions): FilesystemStorage {
  if (!options.signingSecret) throw new Error("Filesystem storage needs a signing secret for upload URLs");
  const root = path.resolve(options.root);
  const tempDir = path.join(root, TEMP_DIR);
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const secret = options.signingSecret;

  function assertUsableKey(key: string): void {
    assertValidKey(key);
    if (key === TEMP_DIR || key.startsWith(`${TEMP_DIR}/`)) throw new InvalidKeyError(key, `"${TEMP_DIR}" is reserved`);
  }

  function pathFor(key: string): string {
    assertUsableKey(key);
    return path.join(root, key);
  }

  return {
    driver: "filesystem",

    async put(key, body, putOptions) {
      const target = pathFor(key);
      assertValidSize(key, putOptions.size);
      assertValidContentType(putOptions.contentType);
      if (Buffer.isBuffer(body) && body.length !== putOptions.size) {
        throw new ObjectSizeMismatchError(key, putOptions.size, body.length);
      }
      await mkdir(tempDir, { recursive: true });
      const temp = path.join(tempDir, `${randomUUID()}.part`);
      try {
        if (Buffer.isBuffer(body)) {
          await writeFile(temp, body, { flag: "wx" });
        } else {
          // Opened before streaming so the file surely exists when a failed write is cleaned up below.
          const file = await open(temp, "wx");
          await pipeline(body, exactLength(key, putOptions.size), file.createWriteStream());
        }
        await moveIntoPlace(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async putFile(key, filePath, putOptions) {
      const target = pathFor(key);
      assertValidSize(key, putOptions.size);
      assertValidContentType(putOptions.contentType);
      if (putOptions.move) {
        const { size } = await stat(filePath);
        if (size !== putOptions.size) throw new ObjectSizeMismatchError(key, putOptions.size, size);
        try {
          // One filesystem: a rename, no byte copied.
          await moveIntoPlace(filePath, target);
          return;
        } catch (error) {
          if (errorCode(error) !== "EXDEV") throw error;
        }
      }
      await mkdir(tempDir, { recursive: true });
      const temp = path.join(tempDir, `${randomUUID()}.part`);
      try {
        // A kernel-side copy: the bytes never pass through this process's memory.
        await copyFile(filePath, temp, constants.COPYFILE_EXCL);
        const { size } = await stat(temp);
        if (size !== putOptions.size) throw new ObjectSizeMismatchError(key, putOptions.size, size);
        await moveIntoPlace(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key) {
      const opened = await openFile(pathFor(key));
      if (!opened) throw new ObjectNotFoundError(key);
      return opened.handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    },

    async localFile(key) {
      const file = pathFor(key);
      const stats = await stat(file).catch(nullWhenMissing);
      if (!stats?.isFile()) throw new ObjectNotFoundError(key);
      return { path: file, size: stats.size };
    },

    async head(key) {
      const file = pathFor(key);
      const stats = await stat(file, { bigint: true }).catch(nullWhenMissing);
      return stats?.isFile() ? describe(key, stats) : null;
    },

    async delete(keys) {
      const files = keys.map(pathFor);
      for (const file of files) {
        const stats = await lstat(file).catch(nullWhenMissing);
        if (stats?.isFile()) await unlink(file).catch(nullWhenMissing);
      }
    },

    async deletePrefix(prefix) {
      const dir = pathFor(prefix);
      const stats = await lstat(dir).catch(nullWhenMissing);
      if (stats?.isDirectory()) await rm(dir, { recursive: true, force: true });
    },

    async url(key) {
      assertUsableKey(key);
      return `${publicUrl}/files/${key}`;
    },

    async presignPut(key, presign) {
      pathFor(key);
      assertValidSize(key, presign.size);
      assertValidContentType(presign.contentType);
      const expires = Math.floor(Date.now() / 1000) + clampPresignSeconds(presign.expiresInSeconds);
      const signature = signUpload(secret, { key, expires, contentType: presign.contentType, size: presign.size });
      return {
        url: `${publicUrl}/uploads/${key}?expires=${expires}&signature=${signature}`,
        headers: { "Content-Type": presign.contentType },
      };
    },

    async check() {
      await mkdir(root, { recursive: true });
      await access(root, constants.R_OK | constants.W_OK);
    },

    async read(key) {
      const opened = await openFile(pathFor(key));
      if (!opened) return null;
      return { ...describe(key, opened.stats), stream: opened.handle.createReadStream() };
    },
  };
}

function describe(key: string, stats: BigIntStats): StoredObject {
  return {
    size: Number(stats.size),
    contentType: contentTypeForKey(key),
    // The inode tells apart same-size writes within one timestamp tick: every put renames in a new file.
    etag: `"${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}-${stats.ino.toString(16)}"`,
  };
}

/** Renames a finished temp file onto its key, creating the directories it needs. */
async function moveIntoPlace(temp: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(temp, target);
      return;
    } catch (error) {
      // A concurrent deletePrefix may remove the directory between mkdir and rename: try once more.
      if (errorCode(error) !== "ENOENT" || attempt >= 2) throw error;
    }
  }
}

/** Opens a regular file for reading; null when there is none (a directory is not an object). */
async function openFile(file: string): Promise<{ handle: FileHandle; stats: BigIntStats } | null> {
  const handle = await open(file, "r").catch(nullWhenMissing);
  if (!handle) return null;
  try {
    const stats = await handle.stat({ bigint: true });
    if (stats.isFile()) return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
  await handle.close();
  return null;
}

const MISSING = new Set(["ENOENT", "ENOTDIR", "EISDIR", "ENAMETOOLONG"]);

function nullWhenMissing(error: unknown): null {
  if (MISSING.has(errorCode(error) ?? "")) return null;
  throw error;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}
