/**
 * The error catalogue: every error a client can see, with its stable code, HTTP status and the
 * exact message of the REST contract. REST maps it to `{statusCode, message, error}`, GraphQL to a
 * union member.
 */
export const errorCatalogue = {
  API_KEY_REQUIRED: { status: 401, message: "API key is required" },
  INVALID_API_KEY: { status: 401, message: "Invalid API key" },
  MULTIPLE_AUTH_METHODS: { status: 400, message: "Multiple authentication methods provided" },
  AGENCY_SUSPENDED: { status: 403, message: "Agency is suspended" },
  FILE_NOT_FOUND: { status: 404, message: "File not found" },
  JOB_NOT_FOUND: { status: 404, message: "Job not found" },
  LISTING_NOT_FOUND: { status: 404, message: "Listing not found" },
  ROUTE_NOT_FOUND: { status: 404, message: "Route not found" },
  WEBHOOK_NOT_FOUND: { status: 404, message: "Webhook not found" },
  EXTERNAL_ID_ALREADY_LINKED: { status: 409, message: "External ID already linked" },
  FILE_ALREADY_HAS_EXTERNAL_ID: { status: 409, message: "File already has external ID" },
  FILE_HAS_NO_EXTERNAL_ID: { status: 409, message: "File has no external ID" },
  LISTING_ALREADY_HAS_EXTERNAL_ID: { status: 409, message: "Listing already has external ID" },
  LISTING_HAS_NO_EXTERNAL_ID: { status: 409, message: "Listing has no external ID" },
  FILE_TOO_LARGE: { status: 413, message: "File too large" },
  REQUEST_BODY_TOO_LARGE: { status: 413, message: "Request body too large" },
  UNSUPPORTED_FILE_TYPE: { status: 415, message: "Unsupported file type" },
  JSON_CONTENT_TYPE_REQUIRED: { status: 415, message: "Content-Type must be application/json" },
  MULTIPART_CONTENT_TYPE_REQUIRED: { status: 415, message: "Content-Type must be multipart/form-data" },
  ALL_BULK_OPERATIONS_FAILED: { status: 422, message: "All bulk operations failed" },
  TOO_MANY_REQUESTS: { status: 429, message: "Too Many Requests" },
  VALIDATION_FAILED: { status: 400, message: "Validation failed" },
  SERVICE_UNAVAILABLE: { status: 503, message: "Service Unavailable" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** A rule was broken; `details` are extra fields for the body (e.g. the holder's `mediaId`). */
export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(errorCatalogue[code].message);
    this.name = "DomainError";
    this.status = errorCatalogue[code].status;
  }
}

/** Input did not validate; one message per problem, as the REST contract's `message` array. */
export class ValidationError extends DomainError {
  constructor(readonly problems: string[]) {
    super("VALIDATION_FAILED");
    this.name = "ValidationError";
  }
}

const reasonPhrases: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function reasonPhrase(status: number): string {
  return reasonPhrases[status] ?? (status >= 500 ? "Internal Server Error" : "Bad Request");
}

export interface ErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
  code: string;
  [extra: string]: unknown;
}

/** The REST error body of a domain error. */
export function errorBody(error: DomainError): ErrorBody {
  const message = error instanceof ValidationError ? error.problems : error.message;
  return { ...error.details, statusCode: error.status, message, error: reasonPhrase(error.status), code: error.code };
}
