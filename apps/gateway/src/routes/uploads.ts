import { DomainError } from "@darkroom/domain";
import { ObjectSizeMismatchError, type ObjectStorage, verifyUploadSignature } from "@darkroom/storage";
import type { FastifyInstance } from "fastify";
import { routeDocs as D } from "./route-docs.ts";

const refused = {
  statusCode: 403,
  message: "Upload URL is invalid or expired",
  error: "Forbidden",
  code: "UPLOAD_URL_INVALID",
};

/**
 * `PUT /uploads/<key>?expires=…&signature=…`: the filesystem driver's direct uploads. The signature
 * (HMAC of key, expiry, Content-Type and Content-Length) is the authorization; the body is streamed
 * to storage and must be exactly the signed size.
 */
export async function uploadRoutes(
  app: FastifyInstance,
  options: { storage: ObjectStorage; signingSecret: string; maxUploadBytes: number },
) {
  // The body is read as a stream by the handler, whatever its type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null));

  app.put("/uploads/*", { config: { doc: D.directUpload } }, async (request, reply) => {
    const key = (request.params as { "*": string })["*"];
    const query = request.query as Record<string, string | undefined>;
    const size = Number(request.headers["content-length"]);
    const contentType = request.headers["content-type"] ?? "";
    const valid = verifyUploadSignature({
      key,
      expires: query.expires ?? "",
      signature: query.signature ?? "",
      contentType,
      size,
      secret: options.signingSecret,
    });
    if (!valid) {
      request.raw.resume();
      return reply.status(403).send(refused);
    }
    if (size > options.maxUploadBytes) throw new DomainError("FILE_TOO_LARGE");
    try {
      // The request itself is the body: a client gone away fails the put with the request's error.
      await options.storage.put(key, request.raw, { contentType, size });
    } catch (error) {
      if (error instanceof ObjectSizeMismatchError) {
        return reply.status(400).send({
          statusCode: 400,
          message: ["the body is not the signed size"],
          error: "Bad Request",
          code: "VALIDATION_FAILED",
        });
      }
      throw error;
    }
    return reply.status(200).send({ uploaded: true });
  });
}
