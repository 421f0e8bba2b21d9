import { parseExternalId, parseId, type RestMedia } from "@darkroom/domain";
import { completeUpload, createUploadUrl } from "../../services/direct-upload.ts";
import { builder } from "../builder.ts";
import {
  ExternalIdAlreadyLinkedError,
  FileNotFoundError,
  FileTooLargeError,
  UnsupportedFileTypeError,
  ValidationError,
} from "./errors.ts";
import { forgetMedia, MediaRef } from "./media.ts";

type SignedUpload = Awaited<ReturnType<typeof createUploadUrl>>;

const HttpHeader = builder.objectRef<{ name: string; value: string }>("HttpHeader").implement({
  fields: (t) => ({ name: t.exposeString("name"), value: t.exposeString("value") }),
});

const CreateUploadUrlSuccess = builder.objectRef<SignedUpload>("CreateUploadUrlSuccess").implement({
  description:
    "Send the bytes with `method` to `uploadUrl`, with exactly `headers`, before `expiresAt`; then `completeUpload`.",
  fields: (t) => ({
    mediaId: t.exposeInt("mediaId", { description: "The file's databaseId, reserved; invisible until completed." }),
    uploadUrl: t.exposeString("uploadUrl"),
    method: t.exposeString("method", { description: '"PUT"' }),
    headers: t.field({
      type: [HttpHeader],
      description: "The headers the upload must carry.",
      resolve: (signed) => Object.entries(signed.headers).map(([name, value]) => ({ name, value: String(value) })),
    }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
  }),
});

const CompleteUploadSuccess = builder.objectRef<{ media: RestMedia }>("CompleteUploadSuccess").implement({
  description: "The file is visible and its optimization queued (completing again answers the file).",
  fields: (t) => ({ media: t.field({ type: MediaRef, resolve: (result) => result.media }) }),
});

builder.mutationFields((t) => ({
  createUploadUrl: t.field({
    type: CreateUploadUrlSuccess,
    description:
      "Signs a URL valid 30 minutes to upload exactly this type and size straight to storage. " +
      "The rules of `POST /api/v1/media/upload-url`.",
    errors: { types: [ValidationError, FileTooLargeError, ExternalIdAlreadyLinkedError] },
    args: {
      contentType: t.arg.string({ required: true }),
      size: t.arg.int({ required: true, description: "Bytes; at most MAX_UPLOAD_BYTES." }),
      externalId: t.arg.string(),
      fileName: t.arg.string({ description: "The file's name, shown as `Media.fileName` (sanitized)." }),
    },
    resolve: (_root, { contentType, size, externalId, fileName }, ctx) =>
      createUploadUrl(ctx.deps, ctx.agency.id, {
        contentType,
        size,
        fileName,
        externalId: externalId == null ? undefined : parseExternalId(externalId),
      }),
  }),
  completeUpload: t.field({
    type: CompleteUploadSuccess,
    description:
      "Checks the uploaded object (size, type sniffed from its bytes), then makes the file visible and queues its " +
      "optimization. The rules of `POST /api/v1/media/:id/complete`.",
    errors: {
      types: [ValidationError, FileNotFoundError, UnsupportedFileTypeError, ExternalIdAlreadyLinkedError],
    },
    args: { id: t.arg.int({ required: true, description: "The mediaId of createUploadUrl." }) },
    resolve: async (_root, { id }, ctx) => {
      const media = await completeUpload(ctx.deps, ctx.agency.id, parseId(id, "id"));
      forgetMedia(ctx, media.id);
      return { media };
    },
  }),
}));
