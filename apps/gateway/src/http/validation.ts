import { OPTIMIZATION_STATUSES, parseExternalId, parseId, parseLimit, ValidationError } from "@darkroom/domain";
import { z } from "zod";

/** Parses `value` with `schema`, turning every issue into one message of a ValidationError. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((issue) => issue.message));
}

/** A schema whose check is one of the domain's parsers, keeping its messages. */
const checkedBy = <T>(parse: (value: unknown) => T) =>
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
    });

export const externalIdSchema = (field = "externalId") => checkedBy((value) => parseExternalId(value, field));

const jsonObject = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: "body must be a JSON object" });

export const idParams = z.object({ id: checkedBy((value) => parseId(value, "id")) });
export const externalIdParams = z.object({ externalId: externalIdSchema() });
export const linkBody = jsonObject({ externalId: externalIdSchema() });

export const listMediaQuery = z.object({
  limit: checkedBy(parseLimit),
  cursor: z.string({ error: "cursor must be a string" }).max(200, "cursor is invalid").optional(),
  optimization: z
    .enum(OPTIMIZATION_STATUSES, { error: `optimization must be one of ${OPTIMIZATION_STATUSES.join(", ")}` })
    .optional(),
});

export const listListingsQuery = listMediaQuery.pick({ limit: true, cursor: true });

const optionalExternalId = checkedBy((value) => (value === undefined ? undefined : parseExternalId(value)));

export const uploadFromUrlBody = jsonObject({ url: z.unknown(), externalId: optionalExternalId });
export const uploadUrlBody = jsonObject({
  contentType: z.unknown(),
  size: z.unknown(),
  externalId: optionalExternalId,
});
export const bulkBody = jsonObject({ operations: z.unknown() });
export const jobStatusQuery = z.object({ id: checkedBy((value) => parseId(value, "id")) });
