import { parseExternalId } from "@darkroom/domain";
import { storeUpload, type UploadResult } from "../../services/upload.ts";
import { builder } from "../builder.ts";
import {
  ExternalIdAlreadyLinkedError,
  FileTooLargeError,
  UnsupportedFileTypeError,
  ValidationError,
} from "./errors.ts";
import { MediaRef } from "./media.ts";

const UploadMediaSuccess = builder.objectRef<UploadResult>("UploadMediaSuccess").implement({
  fields: (t) => ({
    media: t.field({ type: MediaRef, resolve: (result) => result.media }),
    created: t.boolean({
      description:
        "False when a byte-identical retry with the same external ID answered with the existing file " +
        "(REST: 200 instead of 201).",
      resolve: (result) => result.status === 201,
    }),
  }),
});

builder.mutationField("uploadMedia", (t) =>
  t.field({
    type: UploadMediaSuccess,
    description:
      "Stores an image (GraphQL multipart request; the file streams to disk, never into memory) and queues " +
      "its optimization. The rules of `POST /api/v1/media`.",
    errors: { types: [ValidationError, ExternalIdAlreadyLinkedError, FileTooLargeError, UnsupportedFileTypeError] },
    args: {
      file: t.arg({ type: "File", required: true }),
      externalId: t.arg.string(),
    },
    resolve: async (_root, { file, externalId }, ctx) => {
      try {
        const spooled = file.take();
        return await storeUpload(
          ctx.deps,
          ctx.agency.id,
          spooled,
          externalId == null ? undefined : parseExternalId(externalId),
          file.fileName,
        );
      } finally {
        await file.discard();
      }
    },
  }),
);
