import { DomainError, type ErrorBody, errorBody, reasonPhrase, ValidationError } from "@darkroom/domain";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Framework errors a client can cause, mapped to the catalogue. */
const frameworkErrors: Record<string, () => DomainError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new DomainError("REQUEST_BODY_TOO_LARGE"),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new DomainError("JSON_CONTENT_TYPE_REQUIRED"),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new ValidationError(["Content-Length does not match the body"]),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ValidationError(["body must be a JSON object"]),
  FST_INVALID_MULTIPART_CONTENT_TYPE: () => new DomainError("MULTIPART_CONTENT_TYPE_REQUIRED"),
  FST_REQ_FILE_TOO_LARGE: () => new DomainError("FILE_TOO_LARGE"),
  FST_FILES_LIMIT: () => new ValidationError(["only one file may be sent"]),
  FST_PARTS_LIMIT: () => new ValidationError(["too many parts in the multipart body"]),
  FST_FIELDS_LIMIT: () => new ValidationError(["too many fields in the multipart body"]),
  FST_PROTO_VIOLATION: () => new ValidationError(["multipart field name is not allowed"]),
  FST_ERR_BAD_URL: () => new ValidationError(["the URL is malformed"]),
};

export function sendError(reply: FastifyReply, error: DomainError) {
  return reply.status(error.status).send(errorBody(error));
}

/** The catalogue's error for an error the client caused (a rule, a bad body, a limit), if it is one. */
export function clientErrorOf(error: FastifyError, request: FastifyRequest): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" && request.routeOptions.config.multipart) {
    return new DomainError("MULTIPART_CONTENT_TYPE_REQUIRED");
  }
  const mapped = error.code ? frameworkErrors[error.code] : undefined;
  if (mapped) return mapped();
  if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return new ValidationError(["body is not valid JSON"]);
  }
  return undefined;
}

/** Every error leaves as `{statusCode, message, error}`; user input never produces a 5xx. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const clientError = clientErrorOf(error, request);
    if (clientError) return sendError(reply, clientError);
    if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      const body: ErrorBody = {
        statusCode: error.statusCode,
        message: error.message,
        error: reasonPhrase(error.statusCode),
        code: error.code ?? "BAD_REQUEST",
      };
      return reply.status(error.statusCode).send(body);
    }
    request.log.error({ err: error }, "request failed");
    const status = isUnavailable(error) ? 503 : 500;
    return reply.status(status).send({
      statusCode: status,
      message: status === 503 ? "Service Unavailable" : "Internal Server Error",
      error: reasonPhrase(status),
      code: status === 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_ERROR",
    });
  });
  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send({
      statusCode: 404,
      message: `Route ${request.method} ${request.url.split("?")[0]} not found`,
      error: "Not Found",
      code: "ROUTE_NOT_FOUND",
    });
  });
}

/** The database or storage cannot be reached: the client may retry later. */
function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: string }).code;
    if (
      code &&
      ["ECONNREFUSED", "ECONNRESET", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "57P01", "57P03"].includes(code)
    ) {
      return true;
    }
  }
  return false;
}
