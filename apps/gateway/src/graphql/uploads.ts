import type { Readable } from "node:stream";
import { DomainError } from "@darkroom/domain";
import { createGraphQLError, type GraphQLParams, type Plugin } from "graphql-yoga";
import { type SpooledFile, spoolToDisk } from "../services/spool.ts";
import type { GraphQLServerContext } from "./context.ts";
import { isGraphQLError } from "./errors.ts";

/** A file of a GraphQL multipart request, spooled to disk while it streamed in (never held in memory). */
export class Upload {
  private constructor(
    private readonly spooled: SpooledFile | undefined,
    /** The file name of its multipart part, as the client sent it. */
    readonly fileName: string | undefined,
  ) {}

  static of(file: SpooledFile, fileName?: string): Upload {
    return new Upload(file, fileName);
  }

  /** A file that went over MAX_UPLOAD_BYTES: its bytes were dropped as they came. */
  static tooLarge(): Upload {
    return new Upload(undefined, undefined);
  }

  /** The spooled file, or `File too large`. */
  take(): SpooledFile {
    if (!this.spooled) throw new DomainError("FILE_TOO_LARGE");
    return this.spooled;
  }

  async discard(): Promise<void> {
    await this.spooled?.discard();
  }
}

export interface UploadOptions {
  tmpDir: string;
  maxUploadBytes: number;
}

/** Files one request may carry (each up to MAX_UPLOAD_BYTES). */
export const MAX_FILES_PER_REQUEST = 10;
/** The `operations` and `map` fields, as for JSON bodies. */
const FIELD_BYTES = 512 * 1024;

const badRequest = (message: string) =>
  createGraphQLError(message, { extensions: { code: "BAD_REQUEST", http: { status: 400 } } });

/**
 * GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec), read
 * as a stream: Yoga's own parser would buffer every file in memory, so this parser replaces it and
 * spools each file to a temporary file on the way, dropping the bytes of a file over the limit.
 * The files are removed once the response is sent.
 */
export function useStreamedUploads(options: UploadOptions): Plugin<object, GraphQLServerContext> {
  return {
    onRequestParse({ request, serverContext, setRequestParser }) {
      const type = request.headers.get("content-type") ?? "";
      if (request.method !== "POST" || !/^multipart\/form-data\s*(;|$)/i.test(type)) return;
      const uploads = new Map<string, Upload>();
      serverContext.reply.raw.once("close", () => {
        for (const upload of uploads.values()) void upload.discard();
      });
      setRequestParser(() => readMultipartRequest(serverContext, options, uploads));
    },
  };
}

async function readMultipartRequest(
  { req: request, reply }: GraphQLServerContext,
  options: UploadOptions,
  uploads: Map<string, Upload>,
): Promise<GraphQLParams> {
  let operations: unknown;
  let map: Map<string, string[]> | undefined;
  // `throwFileSizeLimit: false`: a file over the limit is truncated, not an error of the whole request.
  const busboyOptions = {
    limits: {
      fileSize: options.maxUploadBytes,
      files: MAX_FILES_PER_REQUEST,
      fields: 2,
      fieldSize: FIELD_BYTES,
      parts: MAX_FILES_PER_REQUEST + 2,
    },
    throwFileSizeLimit: false,
  };
  try {
    for await (const part of request.parts(busboyOptions)) {
      if (part.type === "field") {
        if (part.valueTruncated) {
          throw createGraphQLError("Request body too large", {
            extensions: { code: "REQUEST_BODY_TOO_LARGE", http: { status: 413 } },
          });
        }
        if (part.fieldname === "operations") operations = parseJsonField(part.value, "operations");
        else if (part.fieldname === "map") map = parseMap(parseJsonField(part.value, "map"));
        else throw badRequest(`Unexpected multipart field "${part.fieldname}"`);
        continue;
      }
      if (operations === undefined || map === undefined) {
        throw badRequest('Multipart fields "operations" and "map" must come before the files');
      }
      if (!map.has(part.fieldname) || uploads.has(part.fieldname)) {
        throw badRequest(`Multipart file "${part.fieldname}" is not in the map`);
      }
      const spooled = await spoolPart(part.file, options.tmpDir);
      if (part.file.truncated) {
        await spooled.discard();
        uploads.set(part.fieldname, Upload.tooLarge());
      } else {
        uploads.set(part.fieldname, Upload.of(spooled, part.filename));
      }
    }
    if (operations === undefined) throw badRequest('Missing multipart field "operations"');
    for (const [key, paths] of map ?? []) {
      const upload = uploads.get(key);
      if (!upload) throw badRequest(`Multipart file "${key}" is missing`);
      for (const path of paths) setPath(operations, path, upload);
    }
    return operations as GraphQLParams;
  } catch (error) {
    // Stop parsing and let the rest of the body go by, so the client finishes sending and reads the
    // answer; half-parsed bytes may be left on the connection, so it is not reused.
    request.raw.unpipe();
    request.raw.resume();
    reply.header("Connection", "close");
    await Promise.all([...uploads.values()].map((upload) => upload.discard()));
    throw multipartError(error);
  }
}

const incomplete = () => badRequest("Malformed multipart body: it ends inside a file");

/** Spools a file part; a part cut short by the end of the body is the client's error (400). */
async function spoolPart(stream: Readable, tmpDir: string): Promise<SpooledFile> {
  // The parser may have given up on the part before we got it (the body ended inside it): a
  // destroyed stream would never settle the pipeline.
  if (stream.destroyed && !stream.readableEnded) throw incomplete();
  try {
    return await spoolToDisk(stream, tmpDir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_STREAM_PREMATURE_CLOSE" || /terminated early|unexpected end/i.test(String(error))) {
      throw incomplete();
    }
    throw error;
  }
}

function parseJsonField(value: unknown, field: string): unknown {
  if (typeof value !== "string") return value; // a part sent as application/json arrives parsed
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`Multipart field "${field}" must be valid JSON`);
  }
}

function parseMap(value: unknown): Map<string, string[]> {
  const valid =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((paths) => Array.isArray(paths) && paths.every((p) => typeof p === "string"));
  if (!valid) throw badRequest('Multipart field "map" must map file names to arrays of paths');
  return new Map(Object.entries(value as Record<string, string[]>));
}

/** Puts `value` at a dotted path (`variables.file`, `variables.files.0`) of the operations. */
function setPath(operations: unknown, path: string, value: Upload) {
  const keys = path.split(".");
  const last = keys.pop();
  let target = operations;
  for (const key of keys) {
    target = isContainer(target) && Object.hasOwn(target, key) ? target[key] : undefined;
  }
  if (last === undefined || !isContainer(target) || ["__proto__", "constructor", "prototype"].includes(last)) {
    throw badRequest(`Multipart map path "${path}" does not point into the operations`);
  }
  target[last] = value;
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const multipartLimitMessages: Record<string, string> = {
  FST_FILES_LIMIT: `At most ${MAX_FILES_PER_REQUEST} files may be sent`,
  FST_PARTS_LIMIT: "Too many parts in the multipart body",
  FST_FIELDS_LIMIT: 'Only the fields "operations" and "map" may be sent besides the files',
  FST_PROTO_VIOLATION: "Multipart field name is not allowed",
};

function multipartError(error: unknown): unknown {
  if (!(error instanceof Error) || isGraphQLError(error)) return error;
  const code = (error as { code?: unknown }).code;
  const message = typeof code === "string" ? multipartLimitMessages[code] : undefined;
  if (message) return badRequest(message);
  // busboy's complaints about a malformed body ("Unexpected end of form", a missing boundary, …)
  if (/multipart|boundary|unexpected end|part terminated/i.test(error.message)) {
    return badRequest(`Malformed multipart body: ${error.message}`);
  }
  return error;
}
