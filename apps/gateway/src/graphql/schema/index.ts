// By file: graphql-js has a CommonJS build (`main`, what Node, Yoga and Pothos load) and an ESM one
// (`module`, what vitest would pick for a bare import); a schema only prints with its own instance.
import { lexicographicSortSchema, printSchema } from "graphql/index.js";
import { builder } from "../builder.ts";
import "./scalars.ts";
import "./errors.ts";
import "./agency.ts";
import "./media.ts";
import "./upload-media.ts";
import "./media-mutations.ts";
import "./media-updated.ts";
import "./listing.ts";
import "./listing-mutations.ts";
import "./job.ts";
import "./import-media.ts";
import "./direct-upload.ts";

export const schema = builder.toSchema();

/** The schema as committed in `apps/gateway/schema.graphql`. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
