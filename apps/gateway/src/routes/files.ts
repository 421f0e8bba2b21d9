import { type FilesystemStorage, InvalidKeyError, type ServableObject } from "@darkroom/storage";
import type { FastifyInstance } from "fastify";
import { routeDocs as D } from "./route-docs.ts";

/** Reads stored objects for the gateway to serve (the filesystem driver). */
export type FileServer = Pick<FilesystemStorage, "read">;

const notFound = { statusCode: 404, message: "File not found", error: "Not Found", code: "FILE_NOT_FOUND" };

/**
 * `GET /files/<key>`: stored objects under their unguessable keys, immutable once written, so
 * clients and proxies may cache them for a year.
 */
export async function fileRoutes(app: FastifyInstance, options: { fileServer: FileServer }) {
  app.get("/files/*", { config: { doc: D.files } }, async (request, reply) => {
    const key = (request.params as { "*": string })["*"];
    let file: ServableObject | null;
    try {
      file = await options.fileServer.read(key);
    } catch (error) {
      if (!(error instanceof InvalidKeyError)) throw error;
      file = null; // an invalid key (a traversal attempt, say) is a missing file
    }
    if (!file) return reply.status(404).send(notFound);
    reply
      .header("Content-Type", file.contentType)
      .header("Content-Length", file.size)
      .header("ETag", file.etag)
      .header("Cache-Control", "public, max-age=31536000, immutable")
      .header("X-Content-Type-Options", "nosniff");
    if (request.headers["if-none-match"] === file.etag) {
      file.stream.destroy();
      return reply.status(304).send();
    }
    return reply.send(file.stream);
  });
}
