import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { exactLength } from "./exact-length.ts";
import {
  assertValidContentType,
  assertValidKey,
  assertValidSize,
  clampPresignSeconds,
  ObjectNotFoundError,
  ObjectSizeMismatchError,
  type ObjectStorage,
  type PutOptions,
} from "./storage.ts";

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** For S3-compatible stores (MinIO, R2, ...); AWS is used when absent. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Both or neither; without them the SDK's default credential chain applies. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Public base URL of the bucket (e.g. a CDN); without it, url() returns presigned GET URLs. */
  publicUrl?: string;
  /** Lifetime of the presigned GET URLs from url(): default 1 hour, clamped to 60 seconds..7 days. */
  presignExpiresSeconds?: number;
}

export interface S3Storage extends ObjectStorage {
  readonly driver: "s3";
}

const DELETE_BATCH = 1000;

/**
 * The AWS SDK, loaded on the first S3 call, not at start-up: it costs a process about 300 ms and 7 MB
 * of heap, which a deployment on the filesystem driver never needs.
 */
type Aws = typeof import("@aws-sdk/client-s3") & typeof import("@aws-sdk/s3-request-presigner");
let sdk: Promise<Aws> | undefined;
function loadSdk(): Promise<Aws> {
  sdk ??= Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/s3-request-presigner")]).then(
    ([client, presigner]) => ({ ...client, ...presigner }),
  );
  return sdk;
}

export function createS3Storage(options: S3StorageOptions): S3Storage {
  const { bucket } = options;
  if (!bucket) throw new Error("S3 storage needs a bucket");
  if (Boolean(options.accessKeyId) !== Boolean(options.secretAccessKey)) {
    throw new Error("S3 storage needs both an access key id and a secret access key, or neither");
  }
  const config: S3ClientConfig = {
    region: options.region,
    // The SDK's default flexible checksums send stream bodies as aws-chunked uploads with a trailing
    // checksum, which many S3-compatible stores mishandle, and bake the checksum of an empty body into
    // presigned PUT URLs, so S3 rejects every real upload to them. Send checksums only when required.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
  if (options.accessKeyId && options.secretAccessKey) {
    config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
  }
  let connected: Promise<{ aws: Aws; client: S3Client }> | undefined;
  const connect = () => {
    connected ??= loadSdk().then((aws) => ({ aws, client: new aws.S3Client(config) }));
    return connected;
  };
  const publicUrl = options.publicUrl?.replace(/\/+$/, "");
  const getExpiresIn = clampPresignSeconds(options.presignExpiresSeconds ?? 3600);

  async function putStream(key: string, body: Readable, putOptions: PutOptions): Promise<void> {
    const checked = exactLength(key, putOptions.size);
    const abort = new AbortController();
    let bodyError: unknown;
    // The HTTP client pipes the body without watching it for errors: abort the request ourselves.
    pipeline(body, checked).catch((error: unknown) => {
      bodyError = error;
      abort.abort(error);
    });
    try {
      // Connected only now: the body is watched (above) while the SDK loads, on the first call.
      const { aws, client } = await connect();
      await client.send(
        new aws.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: checked,
          ContentType: putOptions.contentType,
          ContentLength: putOptions.size,
        }),
        { abortSignal: abort.signal },
      );
    } catch (error) {
      checked.destroy();
      throw bodyError ?? error;
    }
  }

  async function deleteBatches(keys: string[]): Promise<void> {
    const { aws, client } = await connect();
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await client.send(
        new aws.DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failure = result.Errors?.[0];
      if (failure) {
        throw new Error(
          `S3 refused to delete ${result.Errors?.length} object(s), e.g. "${failure.Key}": ${failure.Code} ${failure.Message}`,
        );
      }
    }
  }

  const storage: S3Storage = {
    driver: "s3",

    async putFile(key, filePath, putOptions) {
      await storage.put(key, createReadStream(filePath), putOptions);
    },

    async put(key, body, putOptions) {
      assertValidKey(key);
      assertValidSize(key, putOptions.size);
      assertValidContentType(putOptions.contentType);
      if (!Buffer.isBuffer(body)) return putStream(key, body, putOptions);
      if (body.length !== putOptions.size) throw new ObjectSizeMismatchError(key, putOptions.size, body.length);
      const { aws, client } = await connect();
      await client.send(
        new aws.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: putOptions.contentType,
          ContentLength: putOptions.size,
        }),
      );
    },

    async get(key) {
      assertValidKey(key);
      const { aws, client } = await connect();
      try {
        const result = await client.send(new aws.GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!(result.Body instanceof Readable)) throw new Error(`S3 returned no readable body for "${key}"`);
        return result.Body;
      } catch (error) {
        if (isMissingObject(error)) throw new ObjectNotFoundError(key);
        throw error;
      }
    },

    async localFile(key) {
      assertValidKey(key);
      return undefined;
    },

    async head(key) {
      assertValidKey(key);
      const { aws, client } = await connect();
      try {
        const result = await client.send(new aws.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          size: result.ContentLength ?? 0,
          contentType: result.ContentType ?? "application/octet-stream",
          etag: result.ETag ?? "",
        };
      } catch (error) {
        if (isMissingObject(error)) return null;
        throw error;
      }
    },

    async delete(keys) {
      for (const key of keys) assertValidKey(key);
      await deleteBatches([...new Set(keys)]);
    },

    async deletePrefix(prefix) {
      assertValidKey(prefix);
      const { aws, client } = await connect();
      let continuationToken: string | undefined;
      do {
        const page = await client.send(
          new aws.ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: continuationToken }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
        await deleteBatches(keys);
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken);
    },

    async url(key) {
      assertValidKey(key);
      if (publicUrl) return `${publicUrl}/${key}`;
      const { aws, client } = await connect();
      return aws.getSignedUrl(client, new aws.GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: getExpiresIn,
      });
    },

    async presignPut(key, presign) {
      assertValidKey(key);
      assertValidSize(key, presign.size);
      assertValidContentType(presign.contentType);
      const { aws, client } = await connect();
      const command = new aws.PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: presign.contentType,
        ContentLength: presign.size,
      });
      const url = await aws.getSignedUrl(client, command, {
        expiresIn: clampPresignSeconds(presign.expiresInSeconds),
        // Signed headers must be sent unchanged, so S3 refuses another type or length.
        signableHeaders: new Set(["content-type", "content-length"]),
      });
      return { url, headers: { "Content-Type": presign.contentType, "Content-Length": String(presign.size) } };
    },

    async check() {
      const { aws, client } = await connect();
      await client.send(new aws.HeadBucketCommand({ Bucket: bucket }));
    },
  };
  return storage;
}

/** NoSuchKey from GetObject, or the bodiless 404 of HeadObject. */
function isMissingObject(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const name = "name" in error ? error.name : undefined;
  return name === "NoSuchKey" || name === "NotFound";
}
