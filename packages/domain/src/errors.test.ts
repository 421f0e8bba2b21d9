import { describe, expect, it } from "vitest";
import { DomainError, type ErrorCode, errorBody, errorCatalogue, reasonPhrase, ValidationError } from "./errors.ts";

/** The status/message pairs of rest-api.md ("Authentication and tenancy" and "Errors" tables), copied by hand. */
const contract: { code: ErrorCode; status: number; message: string }[] = [
  { code: "API_KEY_REQUIRED", status: 401, message: "API key is required" },
  { code: "INVALID_API_KEY", status: 401, message: "Invalid API key" },
  { code: "MULTIPLE_AUTH_METHODS", status: 400, message: "Multiple authentication methods provided" },
  { code: "AGENCY_SUSPENDED", status: 403, message: "Agency is suspended" },
  { code: "FILE_NOT_FOUND", status: 404, message: "File not found" },
  { code: "EXTERNAL_ID_ALREADY_LINKED", status: 409, message: "External ID already linked" },
  { code: "FILE_ALREADY_HAS_EXTERNAL_ID", status: 409, message: "File already has external ID" },
  { code: "FILE_HAS_NO_EXTERNAL_ID", status: 409, message: "File has no external ID" },
  { code: "FILE_TOO_LARGE", status: 413, message: "File too large" },
  { code: "REQUEST_BODY_TOO_LARGE", status: 413, message: "Request body too large" },
  { code: "UNSUPPORTED_FILE_TYPE", status: 415, message: "Unsupported file type" },
  { code: "JSON_CONTENT_TYPE_REQUIRED", status: 415, message: "Content-Type must be application/json" },
  { code: "TOO_MANY_REQUESTS", status: 429, message: "Too Many Requests" },
  // Listings ("as for media"): their own not-found and link conflicts; a taken external ID is the shared 409.
  { code: "LISTING_NOT_FOUND", status: 404, message: "Listing not found" },
  { code: "LISTING_ALREADY_HAS_EXTERNAL_ID", status: 409, message: "Listing already has external ID" },
  { code: "LISTING_HAS_NO_EXTERNAL_ID", status: 409, message: "Listing has no external ID" },
];

/** The HTTP reason phrases a client sees in `error`. */
const reasons: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  422: "Unprocessable Entity",
  503: "Service Unavailable",
};

describe("errorCatalogue", () => {
  it.each(contract)("errorCatalogue: $code answers $status with the contract's message '$message'", (row) => {
    expect(errorCatalogue[row.code]).toEqual({ status: row.status, message: row.message });
  });

  it("errorCatalogue: every contract message appears exactly once in the catalogue", () => {
    const messages = Object.values(errorCatalogue).map((entry) => entry.message);
    for (const row of contract) {
      expect(messages.filter((message) => message === row.message)).toHaveLength(1);
    }
  });

  it("errorCatalogue: no two codes share a message", () => {
    const messages = Object.values(errorCatalogue).map((entry) => entry.message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it("errorCatalogue: every status is an HTTP error status with a known reason phrase", () => {
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(Object.values(reasons).includes(reasonPhrase(entry.status)), code).toBe(true);
    }
  });

  it("errorCatalogue: only service failures are 5xx (user input never produces a 5xx)", () => {
    const fiveHundreds = Object.entries(errorCatalogue)
      .filter(([, entry]) => entry.status >= 500)
      .map(([code]) => code);
    expect(fiveHundreds).toEqual(["SERVICE_UNAVAILABLE"]);
  });
});

describe("reasonPhrase", () => {
  it.each(Object.entries(reasons))("reasonPhrase: %s is '%s'", (status, phrase) => {
    expect(reasonPhrase(Number(status))).toBe(phrase);
  });

  it("reasonPhrase: an unlisted 4xx falls back to 'Bad Request', an unlisted 5xx to 'Internal Server Error'", () => {
    expect(reasonPhrase(418)).toBe("Bad Request");
    expect(reasonPhrase(502)).toBe("Internal Server Error");
  });
});

describe("DomainError", () => {
  it.each(contract)("DomainError: $code carries status $status, its message and its code", (row) => {
    const error = new DomainError(row.code);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("DomainError");
    expect(error.code).toBe(row.code);
    expect(error.status).toBe(row.status);
    expect(error.message).toBe(row.message);
    expect(error.details).toEqual({});
  });
});

describe("errorBody", () => {
  it("errorBody: File not found is exactly {statusCode: 404, message, error: 'Not Found', code}", () => {
    expect(errorBody(new DomainError("FILE_NOT_FOUND"))).toStrictEqual({
      statusCode: 404,
      message: "File not found",
      error: "Not Found",
      code: "FILE_NOT_FOUND",
    });
  });

  it.each(contract)("errorBody: $code gives statusCode $status, the contract message and its reason phrase", (row) => {
    const body = errorBody(new DomainError(row.code));
    expect(body).toStrictEqual({
      statusCode: row.status,
      message: row.message,
      error: reasons[row.status],
      code: row.code,
    });
  });

  it.each([
    ["FILE_NOT_FOUND", "Not Found"],
    ["EXTERNAL_ID_ALREADY_LINKED", "Conflict"],
    ["FILE_TOO_LARGE", "Payload Too Large"],
    ["UNSUPPORTED_FILE_TYPE", "Unsupported Media Type"],
  ] as const)("errorBody: %s has error '%s'", (code, phrase) => {
    expect(errorBody(new DomainError(code)).error).toBe(phrase);
  });

  it("errorBody: details (the holder's mediaId) are spread into the body", () => {
    const body = errorBody(new DomainError("EXTERNAL_ID_ALREADY_LINKED", { mediaId: 123 }));
    expect(body).toStrictEqual({
      statusCode: 409,
      message: "External ID already linked",
      error: "Conflict",
      code: "EXTERNAL_ID_ALREADY_LINKED",
      mediaId: 123,
    });
  });

  it("errorBody: a ValidationError answers 400 with message an array of its problems", () => {
    const error = new ValidationError([
      "externalId must be 1-255 characters",
      "limit must be an integer from 1 to 100",
    ]);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe("ValidationError");
    expect(error.status).toBe(400);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(errorBody(error)).toStrictEqual({
      statusCode: 400,
      message: ["externalId must be 1-255 characters", "limit must be an integer from 1 to 100"],
      error: "Bad Request",
      code: "VALIDATION_FAILED",
    });
  });

  it("errorBody: a ValidationError with one problem still has an array message", () => {
    const body = errorBody(new ValidationError(["cursor is invalid"]));
    expect(Array.isArray(body.message)).toBe(true);
    expect(body.message).toEqual(["cursor is invalid"]);
  });

  it("errorBody: the body survives JSON serialisation unchanged", () => {
    const body = errorBody(new DomainError("EXTERNAL_ID_ALREADY_LINKED", { mediaId: 7 }));
    expect(JSON.parse(JSON.stringify(body))).toStrictEqual(body);
  });
});
