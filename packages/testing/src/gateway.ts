import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildApp } from "@darkroom/gateway";
import { createAgency } from "@darkroom/gateway/agencies";
import { parseGatewayConfig } from "@darkroom/gateway/env";
import { anyFreePort } from "@darkroom/runtime";
import { createFilesystemStorage, type ObjectStorage } from "@darkroom/storage";
import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { useTestDatabase } from "./database.ts";

export { photo, photosDir } from "./photos.ts";

/**
 * A real gateway on a loopback port, over a fresh database and a temporary storage directory.
 * `env` overrides configuration as the environment would; `onQuery` sees every SQL statement sent.
 */
export async function startGateway(
  env: Record<string, string> = {},
  options: {
    onQuery?: (query: string) => void;
    storage?: ObjectStorage;
    /** Called with the built app before it listens (e.g. to add a route a test needs). */
    beforeListen?: (app: FastifyInstance) => void;
  } = {},
) {
  const database = await useTestDatabase({ ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-gateway-"));
  const port = await anyFreePort();
  const config = parseGatewayConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: "silent",
    ...env,
  });
  const filesystem = createFilesystemStorage({
    root: path.join(dataDir, "objects"),
    publicUrl: config.publicUrl,
    signingSecret: "test-signing-secret-0123456789",
  });
  // Another storage (S3 through s3rver) when given; else files under dataDir, served by the gateway.
  const storage: ObjectStorage = options.storage ?? filesystem;
  const app = await buildApp({
    config,
    db: database.db,
    sql: database.sql,
    reads: database.reads,
    storage,
    ...(options.storage ? {} : { fileServer: filesystem, uploadSigningSecret: "test-signing-secret-0123456789" }),
  });
  options.beforeListen?.(app);
  await app.listen({ port, host: "127.0.0.1" });
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    app,
    baseUrl,
    config,
    database,
    storage,
    dataDir,
    /** A new agency and its key, as the CLI makes them. */
    createAgency: (name = "Agency") => createAgency(database.db, name),
    /** fetch against the gateway, with the key in `X-API-Key` when given. */
    request: (route: string, init: RequestInit & { apiKey?: string } = {}) => {
      const { apiKey, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (apiKey) headers.set("X-API-Key", apiKey);
      return fetch(`${baseUrl}${route}`, { ...rest, headers });
    },
    close: async () => {
      app.server.closeAllConnections(); // keep-alive sockets of the test's fetches
      await app.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** POST /api/v1/media with a multipart body holding `bytes` (and an external ID when given). */
export function upload(gateway: Gateway, apiKey: string, bytes: Buffer, externalId?: string, filename = "photo.jpg") {
  const form = new FormData();
  if (externalId !== undefined) form.set("externalId", externalId);
  form.set("file", new Blob([new Uint8Array(bytes)]), filename);
  return gateway.request("/api/v1/media", { method: "POST", body: form, apiKey });
}

let copies = 0;

/** `bytes` with a suffix no other call adds (after the image's end): never the same file twice. */
export function distinctCopy(bytes: Buffer): Buffer {
  return Buffer.concat([bytes, Buffer.from(`#${copies++}`)]);
}

/** Uploads `bytes` as a new file of the agency, expecting 201, and answers its id. */
export async function uploadedId(
  gateway: Gateway,
  apiKey: string,
  bytes: Buffer,
  externalId?: string,
): Promise<number> {
  const response = await upload(gateway, apiKey, bytes, externalId);
  expect(response.status).toBe(201);
  return (await body(response)).id;
}

export function json(body: unknown): RequestInit {
  return { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
}

/** The JSON body of a response, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions inspect arbitrary JSON
export async function body(response: Response): Promise<any> {
  return response.json();
}
