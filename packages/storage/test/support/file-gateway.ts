import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import type { FilesystemStorage } from "../../src/filesystem.ts";
import { InvalidKeyError } from "../../src/storage.ts";
import { verifyUploadSignature } from "../../src/upload-signature.ts";

export interface RunningFileGateway {
  url: string;
  close(): Promise<void>;
}

/**
 * The two routes the gateway offers for the filesystem driver, reduced to what the storage contract
 * needs: GET /files/<key> and PUT /uploads/<key>?expires=&signature=.
 */
export async function startFileGateway(
  storage: () => FilesystemStorage,
  signingSecret: string,
): Promise<RunningFileGateway> {
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://gateway.test");
      if (request.method === "GET" && url.pathname.startsWith("/files/")) {
        const object = await storage().read(url.pathname.slice("/files/".length));
        if (!object) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, {
          "Content-Type": object.contentType,
          "Content-Length": object.size,
          ETag: object.etag,
          "Cache-Control": "public, max-age=31536000, immutable",
        });
        await pipeline(object.stream, response);
        return;
      }
      if (request.method === "PUT" && url.pathname.startsWith("/uploads/")) {
        const key = url.pathname.slice("/uploads/".length);
        const contentType = request.headers["content-type"] ?? "";
        const size = Number(request.headers["content-length"]);
        const allowed = verifyUploadSignature({
          key,
          expires: url.searchParams.get("expires") ?? "",
          signature: url.searchParams.get("signature") ?? "",
          contentType,
          size,
          secret: signingSecret,
        });
        if (!allowed) {
          response.writeHead(403).end();
          return;
        }
        await storage().put(key, request, { contentType, size });
        response.writeHead(200).end();
        return;
      }
      response.writeHead(404).end();
    } catch (error) {
      if (!response.headersSent) response.writeHead(error instanceof InvalidKeyError ? 400 : 500);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
