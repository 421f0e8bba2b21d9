import { mediaRepository } from "@darkroom/db";
import {
  OPTIMIZATION_STATUSES,
  type OptimizationStatus,
  PAGE_SIZE,
  parseExternalId,
  parseId,
  type RestMedia,
  type RestVariant,
  VARIANT_SIZES,
  type VariantSize,
} from "@darkroom/domain";
import { listMedia } from "../../services/media.ts";
import { readMediaByIds, representOne } from "../../services/media-store.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { connectionOf, pageLimit } from "../pages.ts";

export const OptimizationStatusEnum = builder.enumType("OptimizationStatus", {
  description: "`PENDING` (queued) → `IN_PROGRESS` → `SUCCESS` | `FAILED`; a re-optimization queues it again.",
  values: Object.fromEntries(
    OPTIMIZATION_STATUSES.map((status) => [status.toUpperCase(), { value: status }]),
  ) as Record<Uppercase<OptimizationStatus>, { value: OptimizationStatus }>,
});

const VariantSizeEnum = builder.enumType("VariantSize", {
  description: "The box a variant fits in: its long edge is at most this many pixels.",
  values: Object.fromEntries(VARIANT_SIZES.map((size) => [`SIZE_${size}`, { value: `${size}` }])) as Record<
    `SIZE_${VariantSize}`,
    { value: `${VariantSize}` }
  >,
});

const MediaVariant = builder.objectRef<RestVariant>("MediaVariant").implement({
  description: "A WebP rendition of the image, fitting inside a square box, never enlarged.",
  fields: (t) => ({
    url: t.exposeString("url"),
    variantSize: t.exposeString("variantSize", { description: '"128", "512" or "1024"' }),
    size: t.exposeInt("size", { description: "Bytes." }),
    width: t.exposeInt("width"),
    height: t.exposeInt("height"),
  }),
});

/** The caller's files among `ids`, as REST represents them, with their variants (one statement a batch). */
function loadMedia(ids: number[], ctx: GraphQLContext): Promise<RestMedia[]> {
  return readMediaByIds(ctx.deps, ctx.agency.id, ids);
}

/**
 * A file, as the REST media object describes it (`toRestMedia` decides what is shown, e.g. no
 * variants before `SUCCESS`). Fields returning `Media` may return a databaseId: the files are then
 * loaded in one batch per request, scoped to the caller's agency.
 */
export const MediaRef = builder.loadableNodeRef("Media", {
  load: loadMedia,
  sort: (media) => media.id,
  cacheResolved: (media) => media.id,
  id: { resolve: (media) => media.id, parse: (id) => parseId(id) },
});

MediaRef.implement({
  description: "An uploaded image and its optimized variants.",
  fields: (t) => ({
    databaseId: t.exposeInt("id", { description: "The id of the REST API (`/api/v1/media/:id`)." }),
    externalId: t.exposeString("externalId", { nullable: true }),
    size: t.exposeInt("size", { description: "Bytes of the original." }),
    contentType: t.exposeString("contentType", { description: "Sniffed from the bytes." }),
    optimization: t.expose("optimization", { type: OptimizationStatusEnum }),
    optimizationError: t.exposeString("optimizationError", { nullable: true, description: "Why it failed." }),
    blurhash: t.exposeString("blurhash", { nullable: true, description: "Null until SUCCESS." }),
    width: t.exposeInt("width", { nullable: true }),
    height: t.exposeInt("height", { nullable: true }),
    originalUrl: t.exposeString("originalUrl", { description: "Serves exactly the uploaded bytes." }),
    variants: t.expose("variants", { type: [MediaVariant], description: "Small to large; empty until SUCCESS." }),
    variant: t.field({
      type: MediaVariant,
      nullable: true,
      args: { size: t.arg({ type: VariantSizeEnum, required: true }) },
      resolve: (media, { size }) => media.variants.find((variant) => variant.variantSize === size) ?? null,
    }),
    fileName: t.exposeString("fileName", {
      nullable: true,
      description:
        "The name it was uploaded or imported under (a multipart file's name, a URL's last path segment, a " +
        "direct upload's declared `fileName`), sanitized: no path, no control characters, NFC, at most 255 characters.",
    }),
    capturedAt: t.exposeString("capturedAt", {
      nullable: true,
      description:
        "When the photo was taken: EXIF DateTimeOriginal as ISO 8601, with the camera's offset " +
        "(`2024-06-01T14:22:03+02:00`) when it wrote OffsetTimeOriginal, else a local time " +
        "(`2024-06-01T14:22:03`). Null until optimized, and for a photo without a valid date. GPS is never shown.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const MediaConnection = builder.connectionObject({ type: MediaRef, name: "MediaConnection" }, { name: "MediaEdge" });

builder.queryFields((t) => ({
  media: t.field({
    type: MediaRef,
    nullable: true,
    description: "A file of the caller's agency by its databaseId; null when there is none.",
    args: { id: t.arg.int({ required: true }) },
    resolve: (_root, { id }) => parseId(id, "id"),
  }),
  mediaByExternalId: t.field({
    type: MediaRef,
    nullable: true,
    description: "A file of the caller's agency by its external ID (case-sensitive); null when there is none.",
    args: { externalId: t.arg.string({ required: true }) },
    resolve: async (_root, { externalId }, ctx) => {
      const row = await mediaRepository(ctx.deps.db).findByExternalId(ctx.agency.id, parseExternalId(externalId));
      return row ? representOne(ctx.deps, row) : null;
    },
  }),
  medias: t.field({
    type: MediaConnection,
    description: `The caller's files, newest first, ${PAGE_SIZE.min}-${PAGE_SIZE.max} a page. Cursors are REST's.`,
    args: {
      first: t.arg.int({ defaultValue: PAGE_SIZE.default }),
      after: t.arg.string(),
      optimization: t.arg({ type: OptimizationStatusEnum }),
    },
    resolve: async (_root, { first, after, optimization }, ctx) => {
      const page = await listMedia(ctx.deps, ctx.agency.id, {
        limit: pageLimit(first),
        ...(after == null ? {} : { cursor: after }),
        ...(optimization == null ? {} : { optimization }),
      });
      return connectionOf(page);
    },
  }),
}));

/**
 * After a write, the file must be read afresh: the request's loader may hold it as it was earlier in
 * the operation (mutations run one after the other, and may read the file in between).
 */
export function forgetMedia(ctx: GraphQLContext, id: number): number {
  MediaRef.getDataloader(ctx).clear(id);
  return id;
}
