import { createHash, randomUUID } from "node:crypto";
import { lookup } from "node:dns";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  isOutboundAddressAllowed,
  MAX_REDIRECTS,
  outboundHost,
  parseOutboundUrl,
  SNIFF_BYTES,
  ValidationError,
} from "@darkroom/domain";

/** Why a download failed, in words for the client; `retryable` when trying again later may help. */
export class DownloadError extends Error {
  override name = "DownloadError";
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

export interface DownloadOptions {
  allowHosts: readonly string[];
  maxBytes: number;
  /** For the whole download, redirects included (clamped to 1 s..5 min). */
  timeoutMs: number;
  tmpDir: string;
}

export interface Downloaded {
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
  discard: () => Promise<void>;
}

export const FORBIDDEN = "the URL points to a private, loopback or link-local address";

/**
 * Resolves like dns.lookup, but answers only addresses we may connect to: the connection then goes
 * to the address that was checked, so a second DNS answer cannot redirect it (no DNS rebinding).
 * Used by URL imports and webhook deliveries alike.
 */
export function guardedLookup(allowHosts: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const allowed = addresses.filter((a) => isOutboundAddressAllowed(hostname, a.address, allowHosts));
      const first = allowed[0];
      if (!first) return callback(new DownloadError(FORBIDDEN), "", 4);
      if (options.all) return (callback as (e: null, a: typeof allowed) => void)(null, allowed);
      callback(null, first.address, first.family);
    });
  };
}

function get(url: URL, options: DownloadOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const host = outboundHost(url);
  if (isIP(host) && !isOutboundAddressAllowed(host, host, options.allowHosts)) {
    return Promise.reject(new DownloadError(FORBIDDEN));
  }
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "GET",
      lookup: guardedLookup(options.allowHosts),
      signal,
      headers: { "User-Agent": "darkroom-import/1", Accept: "image/*" },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

function describeNetworkError(error: unknown, signal: AbortSignal): DownloadError {
  if (error instanceof DownloadError) return error;
  if (signal.aborted) return new DownloadError("the download timed out");
  const code = (error as { code?: string }).code ?? "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new DownloadError("the URL's host could not be resolved");
  return new DownloadError(`the download failed (${code || "network error"})`, true);
}

/**
 * Downloads `rawUrl` to a temporary file with the upload's limits: http(s) only, every hop's
 * address checked (at most 5 redirects), a size limit and a deadline; hashing on the way.
 */
export async function downloadToFile(rawUrl: string, options: DownloadOptions): Promise<Downloaded> {
  const signal = AbortSignal.timeout(Math.min(Math.max(options.timeoutMs, 1000), 300_000));
  let url: URL;
  try {
    url = parseOutboundUrl(rawUrl);
  } catch (error) {
    throw new DownloadError(error instanceof ValidationError ? (error.problems[0] ?? "invalid URL") : "invalid URL");
  }
  let response: IncomingMessage | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    try {
      response = await get(url, options, signal);
    } catch (error) {
      throw describeNetworkError(error, signal);
    }
    const status = response.statusCode ?? 0;
    if (status < 300 || status >= 400) break;
    response.resume();
    const location = response.headers.location;
    if (!location) throw new DownloadError(`the source answered ${status} without a location`);
    if (hop === MAX_REDIRECTS) throw new DownloadError(`the source redirected more than ${MAX_REDIRECTS} times`);
    try {
      url = parseOutboundUrl(new URL(location, url).toString());
    } catch {
      throw new DownloadError("the source redirected to a URL that is not http or https");
    }
  }
  if (!response) throw new DownloadError("no response");
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    response.resume();
    throw new DownloadError(`the source answered ${status}`, status >= 500);
  }
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    response.destroy();
    throw new DownloadError("the file is larger than the upload limit");
  }

  const filePath = path.join(options.tmpDir, `darkroom-import-${randomUUID()}`);
  const discard = () => rm(filePath, { force: true });
  const hash = createHash("sha256");
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > options.maxBytes) return callback(new DownloadError("the file is larger than the upload limit"));
      hash.update(chunk);
      if (headLength < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - headLength);
        head.push(Buffer.from(part));
        headLength += part.length;
      }
      callback(null, chunk);
    },
  });
  try {
    await pipeline(response, limit, createWriteStream(filePath, { flags: "wx" }));
  } catch (error) {
    await discard();
    throw describeNetworkError(error, signal);
  }
  return { path: filePath, size, sha256: hash.digest("hex"), head: Buffer.concat(head), discard };
}
