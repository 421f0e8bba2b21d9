import type { Readable } from "node:stream";
import { DomainError, parseExternalId, ValidationError } from "@darkroom/domain";
import type { FastifyInstance } from "fastify";
import { externalIdParams, idParams, linkBody, listMediaQuery, parseInput } from "../http/validation.ts";
import {
  deleteMedia,
  getMedia,
  getMediaByExternalId,
  linkExternalId,
  listMedia,
  reoptimizeMedia,
  unlinkExternalId,
} from "../services/media.ts";
import type { MediaDeps } from "../services/media-store.ts";
import { type SpooledFile, spoolToDisk } from "../services/spool.ts";
import { storeUpload } from "../services/upload.ts";
import { routeDocs as D } from "./route-docs.ts";

export interface MediaRouteOptions extends MediaDeps {
  tmpDir: string;
}

const INCOMPLETE = () => new ValidationError(["the multipart body is incomplete"]);

/** Spools a multipart file part; a part cut short by the end of the body is the client's error (400). */
async function spoolPart(stream: Readable & { truncated?: boolean }, tmpDir: string): Promise<SpooledFile> {
  // The parser may have given up on the part before we got it (the body ended inside it).
  if (stream.destroyed && !stream.readableEnded) throw INCOMPLETE();
  try {
    return await spoolToDisk(stream, tmpDir);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_STREAM_PREMATURE_CLOSE" || /terminated early|unexpected end/i.test(String(error))) {
      throw INCOMPLETE();
    }
    throw error;
  }
}

export async function mediaRoutes(app: FastifyInstance, deps: MediaRouteOptions) {
  app.post("/media", { config: { multipart: true, doc: D.upload } }, async (request, reply) => {
    if (!request.isMultipart()) throw new DomainError("MULTIPART_CONTENT_TYPE_REQUIRED");
    let file: SpooledFile | undefined;
    let externalId: unknown;
    let declaredName: string | undefined;
    try {
      for await (const part of request.parts()) {
        if (part.type === "file") {
          if (part.fieldname !== "file") throw new ValidationError([`unexpected file field "${part.fieldname}"`]);
          file = await spoolPart(part.file, deps.tmpDir);
          declaredName = part.filename;
          if (part.file.truncated) throw new DomainError("FILE_TOO_LARGE");
        } else if (part.fieldname === "externalId") {
          externalId = part.value;
        }
      }
      if (!file) throw new ValidationError(["file is required"]);
      const result = await storeUpload(
        deps,
        request.agency.id,
        file,
        externalId === undefined ? undefined : parseExternalId(externalId),
        declaredName,
      );
      return reply.status(result.status).send(result.media);
    } catch (error) {
      // A refused upload may leave unread or half-parsed bytes on the connection: never reuse it.
      reply.header("Connection", "close");
      throw error;
    } finally {
      await file?.discard();
    }
  });

  app.get("/media", { config: { doc: D.list } }, async (request) => {
    const query = parseInput(listMediaQuery, request.query);
    return listMedia(deps, request.agency.id, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.optimization === undefined ? {} : { optimization: query.optimization }),
    });
  });

  app.get("/media/:id", { config: { doc: D.get } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    return getMedia(deps, request.agency.id, id);
  });

  app.get("/media/external/:externalId", { config: { doc: D.getExternal } }, async (request) => {
    const { externalId } = parseInput(externalIdParams, request.params);
    return getMediaByExternalId(deps, request.agency.id, externalId);
  });

  app.delete("/media/:id", { config: { doc: D.delete } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    await deleteMedia(deps, request.agency.id, { id });
    return { deleted: true };
  });

  app.delete("/media/external/:externalId", { config: { doc: D.deleteExternal } }, async (request) => {
    const { externalId } = parseInput(externalIdParams, request.params);
    const { mediaId } = await deleteMedia(deps, request.agency.id, { externalId });
    return { deleted: true, mediaId };
  });

  app.post("/media/:id/link", { config: { jsonBody: true, doc: D.link } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    const { externalId } = parseInput(linkBody, request.body);
    return linkExternalId(deps, request.agency.id, id, externalId);
  });

  app.delete("/media/:id/link", { config: { doc: D.unlink } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    return unlinkExternalId(deps, request.agency.id, id);
  });

  app.post("/media/:id/reoptimize", { config: { doc: D.reoptimize } }, async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    return reply.status(202).send(await reoptimizeMedia(deps, request.agency.id, id));
  });
}
