import { parseExternalId, type RestMedia } from "@darkroom/domain";
import { importFromUrl } from "../../services/import.ts";
import { builder } from "../builder.ts";
import { ExternalIdAlreadyLinkedError, ValidationError } from "./errors.ts";
import { forgetMedia, MediaRef } from "./media.ts";

interface ImportShape {
  media: RestMedia | number;
  jobId: number | null;
}

const ImportMediaSuccess = builder.objectRef<ImportShape>("ImportMediaSuccess").implement({
  description:
    "The import is queued: `media` is PENDING (size 0, `application/octet-stream` until downloaded) and `jobId` " +
    "names the job that follows the download (`Query.job`). A retry of the same URL with the same external ID answers the existing file with " +
    "`jobId: null` and `created: false` (REST: 200 instead of 202).",
  fields: (t) => ({
    media: t.field({ type: MediaRef, resolve: (result) => result.media }),
    jobId: t.int({
      nullable: true,
      description: "The `import_media` job (see `Query.job`); null when an earlier import answered.",
      resolve: (result) => result.jobId,
    }),
    created: t.boolean({
      description: "False when the same URL with the same external ID was imported already.",
      resolve: (result) => result.jobId !== null,
    }),
  }),
});

builder.mutationField("importMediaFromUrl", (t) =>
  t.field({
    type: ImportMediaSuccess,
    description:
      "Imports an image from a URL in the background (the optimizer downloads it with the upload's limits). " +
      "The rules of `POST /api/v1/media/upload-from-url`.",
    errors: { types: [ValidationError, ExternalIdAlreadyLinkedError], union: { name: "ImportMediaResult" } },
    args: { url: t.arg.string({ required: true }), externalId: t.arg.string() },
    resolve: async (_root, { url, externalId }, ctx) => {
      const result = await importFromUrl(ctx.deps, ctx.agency.id, {
        url,
        externalId: externalId == null ? undefined : parseExternalId(externalId),
      });
      if (result.status === 200) return { media: result.body, jobId: null };
      return { media: forgetMedia(ctx, result.body.mediaId), jobId: result.body.jobId };
    },
  }),
);
