import {
  ACCEPTED_IMAGE_TYPES,
  OPTIMIZATION_STATUSES,
  parseExternalId,
  parseId,
  parseLimit,
  parseListingInput,
  ValidationError,
} from "@darkroom/domain";
import { z } from "zod";

/** Parses `value` with `schema`, turning every issue into one message of a ValidationError. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((issue) => issue.message));
}

/**
 * A schema whose check is one of the domain's parsers, keeping its messages; `shape` is the JSON
 * Schema the OpenAPI document shows for it.
 */
const checkedBy = <T>(parse: (value: unknown) => T, shape: Record<string, unknown>) =>
  z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      try {
        return parse(value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        for (const message of error.problems) ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
    })
    .meta(shape);

const EXTERNAL_ID_SHAPE = {
  type: "string",
  minLength: 1,
  maxLength: 255,
  description: "your own ID: no control characters, no surrounding spaces, case-sensitive, unique in your agency",
};
const ID_SHAPE = { type: "integer", minimum: 1, maximum: 2_147_483_647 };

export const externalIdSchema = (field = "externalId") =>
  checkedBy((value) => parseExternalId(value, field), EXTERNAL_ID_SHAPE);

const jsonObject = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: "body must be a JSON object" });

export const idParams = z.object({ id: checkedBy((value) => parseId(value, "id"), ID_SHAPE) });
export const externalIdParams = z.object({ externalId: externalIdSchema() });
export const linkBody = jsonObject({ externalId: externalIdSchema() });

export const listMediaQuery = z.object({
  limit: checkedBy(parseLimit, { type: "integer", minimum: 1, maximum: 100, default: 20 }),
  cursor: z.string({ error: "cursor must be a string" }).max(200, "cursor is invalid").optional(),
  optimization: z
    .enum(OPTIMIZATION_STATUSES, { error: `optimization must be one of ${OPTIMIZATION_STATUSES.join(", ")}` })
    .optional(),
});

export const listListingsQuery = listMediaQuery.pick({ limit: true, cursor: true });

const optionalExternalId = checkedBy(
  (value) => (value === undefined ? undefined : parseExternalId(value)),
  EXTERNAL_ID_SHAPE,
);

export const uploadFromUrlBody = jsonObject({
  url: z.unknown().meta({ type: "string", format: "uri", description: "http or https; public addresses only" }),
  externalId: optionalExternalId,
});
export const uploadUrlBody = jsonObject({
  contentType: z.unknown().meta({ type: "string", enum: Object.keys(ACCEPTED_IMAGE_TYPES) }),
  size: z.unknown().meta({ type: "integer", minimum: 1, description: "bytes; at most MAX_UPLOAD_BYTES" }),
  externalId: optionalExternalId,
  fileName: z
    .unknown()
    .optional()
    .meta({ type: "string", description: "the file's name, shown as the media object's fileName (sanitized)" }),
});
export const bulkBody = jsonObject({
  operations: z.unknown().meta({
    type: "array",
    minItems: 1,
    maxItems: 100,
    items: {
      type: "object",
      required: ["op"],
      properties: {
        op: { enum: ["upload-from-url", "delete", "link", "unlink"] },
        id: ID_SHAPE,
        externalId: EXTERNAL_ID_SHAPE,
        url: { type: "string", format: "uri" },
      },
    },
  }),
});
export const jobStatusQuery = z.object({ id: checkedBy((value) => parseId(value, "id"), ID_SHAPE) });

export const upsertListingBody = checkedBy(parseListingInput, {
  type: "object",
  required: ["externalId"],
  properties: {
    externalId: EXTERNAL_ID_SHAPE,
    title: { type: "string", maxLength: 500, default: "" },
    status: { enum: ["draft", "active"], default: "draft" },
    files: {
      type: "array",
      maxItems: 20,
      description: "the listing's photos in order; active needs at least 3, all optimized",
      items: {
        oneOf: [
          { type: "object", required: ["id"], properties: { id: ID_SHAPE } },
          { type: "object", required: ["externalFileId"], properties: { externalFileId: EXTERNAL_ID_SHAPE } },
          {
            type: "object",
            required: ["url", "externalFileId"],
            properties: { url: { type: "string", format: "uri" }, externalFileId: EXTERNAL_ID_SHAPE },
          },
        ],
      },
    },
  },
});
