import { parseExternalId, parseId, type RestMedia, ValidationError } from "@darkroom/domain";
import {
  deleteMedia,
  linkExternalId,
  type MediaSelector,
  reoptimizeMedia,
  unlinkExternalId,
} from "../../services/media.ts";
import { builder } from "../builder.ts";
import {
  ExternalIdAlreadyLinkedError,
  FileAlreadyHasExternalIdError,
  FileHasNoExternalIdError,
  FileNotFoundError,
} from "./errors.ts";
import { forgetMedia, MediaRef } from "./media.ts";

/** A success that shows the file as it is now; `media` is loaded from its databaseId. */
function mediaSuccess<T extends { mediaId: number }>(name: string, description: string) {
  return builder.objectRef<T>(name).implement({
    description,
    fields: (t) => ({
      media: t.field({ type: MediaRef, resolve: (result) => result.mediaId }),
    }),
  });
}

const DeleteMediaSuccess = builder.objectRef<{ mediaId: number }>("DeleteMediaSuccess").implement({
  fields: (t) => ({
    mediaId: t.exposeInt("mediaId", { description: "The databaseId of the deleted file." }),
    deletedId: t.globalID({
      description: "The global id of the deleted file, to evict it from a client cache.",
      resolve: (result) => ({ type: "Media", id: result.mediaId }),
    }),
  }),
});

const LinkMediaSuccess = mediaSuccess<{ mediaId: number }>("LinkMediaSuccess", "The file now carries the external ID.");
const UnlinkMediaSuccess = mediaSuccess<{ mediaId: number; externalId: string }>(
  "UnlinkMediaSuccess",
  "The file's external ID is free again.",
);
builder.objectField(UnlinkMediaSuccess, "externalId", (t) =>
  t.exposeString("externalId", { description: "The external ID that was unlinked." }),
);
const ReoptimizeMediaSuccess = builder.objectRef<{ media: RestMedia }>("ReoptimizeMediaSuccess").implement({
  description: "The file's optimization is queued again; its current variants stay until the new set replaces them.",
  fields: (t) => ({ media: t.field({ type: MediaRef, resolve: (result) => result.media }) }),
});

function selectorOf(args: { id?: number | null; externalId?: string | null }): MediaSelector {
  const hasId = args.id != null;
  const hasExternalId = args.externalId != null;
  if (hasId === hasExternalId) throw new ValidationError(["exactly one of id and externalId must be given"]);
  return hasId ? { id: parseId(args.id) } : { externalId: parseExternalId(args.externalId) };
}

builder.mutationFields((t) => ({
  deleteMedia: t.field({
    type: DeleteMediaSuccess,
    description:
      "Deletes a file by databaseId or external ID: it leaves every listing and frees its external ID at once; " +
      "its stored objects are removed in the background.",
    errors: { types: [ValidationError, FileNotFoundError] },
    args: { id: t.arg.int(), externalId: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const deleted = await deleteMedia(ctx.deps, ctx.agency.id, selectorOf(args));
      forgetMedia(ctx, deleted.mediaId);
      return deleted;
    },
  }),
  linkMediaExternalId: t.field({
    type: LinkMediaSuccess,
    description: "Gives a file an external ID; idempotent when it already carries that one.",
    errors: {
      types: [ValidationError, FileNotFoundError, ExternalIdAlreadyLinkedError, FileAlreadyHasExternalIdError],
      union: { name: "LinkMediaResult" },
    },
    args: { id: t.arg.int({ required: true }), externalId: t.arg.string({ required: true }) },
    resolve: async (_root, { id, externalId }, ctx) => {
      const linked = await linkExternalId(ctx.deps, ctx.agency.id, parseId(id), parseExternalId(externalId));
      forgetMedia(ctx, linked.mediaId);
      return linked;
    },
  }),
  unlinkMediaExternalId: t.field({
    type: UnlinkMediaSuccess,
    description: "Frees a file's external ID.",
    errors: {
      types: [ValidationError, FileNotFoundError, FileHasNoExternalIdError],
      union: { name: "UnlinkMediaResult" },
    },
    args: { id: t.arg.int({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const unlinked = await unlinkExternalId(ctx.deps, ctx.agency.id, parseId(id));
      forgetMedia(ctx, unlinked.mediaId);
      return unlinked;
    },
  }),
  reoptimizeMedia: t.field({
    type: ReoptimizeMediaSuccess,
    description: "Queues the file's optimization again.",
    errors: { types: [ValidationError, FileNotFoundError] },
    args: { id: t.arg.int({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const media = await reoptimizeMedia(ctx.deps, ctx.agency.id, parseId(id));
      forgetMedia(ctx, media.id);
      return { media };
    },
  }),
}));
