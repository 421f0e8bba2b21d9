/// <reference path="./types/s3rver.d.ts" />
import crypto, { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

export const TEST_BUCKET = "test-bucket";

export interface RunningS3rver {
  endpoint: string;
  port: number;
  directory: string;
  /** Stops the server and removes its files. */
  close(): Promise<void>;
  /** Stops the server but keeps its files: start another on the same port and directory to resume. */
  stop(): Promise<void>;
}

/**
 * A fake S3 on 127.0.0.1 (a random port unless given) with a `test-bucket`, kept in a temp dir
 * (or `directory`, to resume a stopped one).
 */
export async function startS3rver(options: { port?: number; directory?: string } = {}): Promise<RunningS3rver> {
  const directory = options.directory ?? (await mkdtemp(path.join(os.tmpdir(), "darkroom-s3rver-")));
  const server = new S3rver({
    port: options.port ?? 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: TEST_BUCKET, configs: [] }],
  });
  allowSingleDes();
  storeOnlyCompleteUploads(server);
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    directory,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
    async stop() {
      await server.close();
    },
  };
}

/**
 * s3rver streams a PUT body straight into the object's file (and answers before that write has
 * finished), so an aborted upload leaves a truncated object behind. S3 stores nothing unless the whole
 * body arrives: read the body first and write the object only once it is complete.
 */
function storeOnlyCompleteUploads(server: S3rver): void {
  const { store } = server;
  store.putObject = async (object) => {
    const content = Buffer.isBuffer(object.content) ? object.content : await readCompleteBody(object.content);
    const objectPath = store.getResourcePath(object.bucket, object.key, "object");
    await mkdir(path.dirname(objectPath), { recursive: true });
    await writeFile(objectPath, content);
    const md5 = createHash("md5").update(content).digest("hex");
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
}

function readCompleteBody(body: unknown): Promise<Buffer> {
  const request = body as IncomingMessage;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
    request.on("close", () => {
      if (!request.complete) reject(new Error("upload aborted before its body was complete"));
    });
  });
}

let singleDesRouted = false;

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 (Node 17+) no longer
 * offers, so every listing longer than one page fails with a 500. Three-key DES with the same key three
 * times is the same cipher: route s3rver's "des" through it.
 */
function allowSingleDes(): void {
  if (singleDesRouted) return;
  singleDesRouted = true;
  try {
    crypto.createCipheriv("des", Buffer.alloc(8), Buffer.alloc(8));
    return;
  } catch {
    // unsupported here: route it below
  }
  crypto.createCipheriv = routeSingleDes(crypto.createCipheriv);
  crypto.createDecipheriv = routeSingleDes(crypto.createDecipheriv);
}

type CipherFactory = (algorithm: string, key: Uint8Array, iv: Uint8Array | null, ...rest: unknown[]) => unknown;

function routeSingleDes<F>(original: F): F {
  const create = original as unknown as CipherFactory;
  const routed: CipherFactory = (algorithm, key, iv, ...rest) => {
    if (algorithm !== "des") return create(algorithm, key, iv, ...rest);
    return create("des-ede3-cbc", Buffer.concat([key, key, key]), iv);
  };
  return routed as unknown as F;
}
