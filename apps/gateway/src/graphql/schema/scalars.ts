import { createGraphQLError } from "graphql-yoga";
import { builder } from "../builder.ts";
import { Upload } from "../uploads.ts";

builder.scalarType("DateTime", {
  description: "An instant, as an ISO 8601 string in UTC (`2026-11-26T16:32:47.756Z`).",
  serialize: (value) => (typeof value === "string" ? value : value.toISOString()),
  parseValue: (value) => {
    const date = typeof value === "string" ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) throw createGraphQLError("DateTime must be an ISO 8601 string");
    return date;
  },
});

builder.scalarType("File", {
  description:
    "A file sent with the GraphQL multipart request specification " +
    "(https://github.com/jaydenseric/graphql-multipart-request-spec). Input only.",
  serialize: () => {
    throw new TypeError("File is an input-only scalar");
  },
  parseValue: (value) => {
    if (value instanceof Upload) return value;
    // A GraphQL error, so that Yoga shows its message rather than masking it.
    throw createGraphQLError("File must be sent as a file of a multipart request");
  },
});

builder.scalarType("JSON", {
  description: "Any JSON value (an object, an array, a string, a number, a boolean or null).",
  serialize: (value) => value,
  parseValue: (value) => value,
});
