import { DomainError, type ErrorCode, ValidationError } from "@darkroom/domain";
import { builder } from "../builder.ts";
import { messageOf } from "../errors.ts";

/**
 * Errors are data: a mutation answers a union of its success type and the error types below, each
 * mapped from the domain's error catalogue, with REST's messages.
 */
export const ErrorInterface = builder.interfaceRef<DomainError>("Error").implement({
  description: "A rule the request broke. `code` is stable (`FILE_NOT_FOUND`); `message` is REST's message.",
  fields: (t) => ({
    message: t.string({ resolve: (error) => messageOf(error) }),
    code: t.exposeString("code"),
  }),
});

/**
 * The GraphQL type of the domain errors carrying `code`. The domain throws plain `DomainError`s, so
 * the class the errors plugin matches with `instanceof` recognises them by their code.
 */
function domainErrorType(code: ErrorCode, name: string, description: string) {
  const type = class extends DomainError {
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof DomainError && value.code === code;
    }
  };
  builder.objectType(type, { name, description, interfaces: [ErrorInterface], fields: () => ({}) });
  return type;
}

export const FileNotFoundError = domainErrorType(
  "FILE_NOT_FOUND",
  "FileNotFoundError",
  "No such file in the caller's agency (a file of another agency answers the same).",
);

export const ListingNotFoundError = domainErrorType(
  "LISTING_NOT_FOUND",
  "ListingNotFoundError",
  "No such listing in the caller's agency (a listing of another agency answers the same).",
);

export const ExternalIdAlreadyLinkedError = domainErrorType(
  "EXTERNAL_ID_ALREADY_LINKED",
  "ExternalIdAlreadyLinkedError",
  "Another file (or, for a listing, another listing) of the agency carries that external ID.",
);
builder.objectField(ExternalIdAlreadyLinkedError, "mediaId", (t) =>
  t.int({
    nullable: true,
    description: "The databaseId of the file that carries the external ID.",
    resolve: (error) => {
      const { mediaId } = error.details;
      return typeof mediaId === "number" ? mediaId : null;
    },
  }),
);

builder.objectField(ExternalIdAlreadyLinkedError, "listingId", (t) =>
  t.int({
    nullable: true,
    description: "The databaseId of the listing that carries the external ID (listing mutations).",
    resolve: (error) => {
      const { listingId } = error.details;
      return typeof listingId === "number" ? listingId : null;
    },
  }),
);

export const ListingAlreadyHasExternalIdError = domainErrorType(
  "LISTING_ALREADY_HAS_EXTERNAL_ID",
  "ListingAlreadyHasExternalIdError",
  "The listing already carries a different external ID.",
);

export const ListingHasNoExternalIdError = domainErrorType(
  "LISTING_HAS_NO_EXTERNAL_ID",
  "ListingHasNoExternalIdError",
  "The listing carries no external ID to unlink.",
);

export const FileAlreadyHasExternalIdError = domainErrorType(
  "FILE_ALREADY_HAS_EXTERNAL_ID",
  "FileAlreadyHasExternalIdError",
  "The file already carries a different external ID.",
);

export const FileHasNoExternalIdError = domainErrorType(
  "FILE_HAS_NO_EXTERNAL_ID",
  "FileHasNoExternalIdError",
  "The file carries no external ID to unlink.",
);

export const FileTooLargeError = domainErrorType(
  "FILE_TOO_LARGE",
  "FileTooLargeError",
  "The file is larger than the gateway's MAX_UPLOAD_BYTES.",
);

export const UnsupportedFileTypeError = domainErrorType(
  "UNSUPPORTED_FILE_TYPE",
  "UnsupportedFileTypeError",
  "The bytes are not an image format we accept (sniffed from the content, never from the name or type sent).",
);

builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input did not validate; `problems` lists each problem (REST's `message` array).",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    problems: t.exposeStringList("problems"),
  }),
});

export { ValidationError };
