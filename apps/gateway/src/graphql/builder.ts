import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import RelayPlugin from "@pothos/plugin-relay";
import type { GraphQLContext } from "./context.ts";
import type { Upload } from "./uploads.ts";

const capitalize = (name: string) => `${name.slice(0, 1).toUpperCase()}${name.slice(1)}`;

/**
 * The one schema builder. Every type lives in its own file under `schema/`, which adds its fields to
 * the root types declared here; `schema/index.ts` imports them all and builds the schema.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    /** ISO 8601 in the output; an ISO 8601 string as input. */
    DateTime: { Input: Date; Output: Date | string };
    /** A file of a GraphQL multipart request; input only. */
    File: { Input: Upload; Output: never };
    /** Any JSON value; output only (a job's `resultData`). */
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ErrorsPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
  errors: {
    // A mutation returns its own success type; `uploadMedia` answers `UploadMediaResult`, the union
    // of `UploadMediaSuccess` and the error types it lists.
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
