import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { body, type Gateway, json, startGateway } from "@darkroom/testing/gateway";
import { filesUnder, PHOTOS, photo, startOptimizerBeside, waitFor } from "@darkroom/testing/optimizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../apps/optimizer/src/worker.ts";

/** A local source of files for imports, on 127.0.0.1 (allowed through OUTBOUND_ALLOW_HOSTS). */
let source: Server;
let sourceUrl: string;
let gateway: Gateway;
let optimizer: Optimizer;
let apiKey: string;
let jpeg: Buffer;

const MAX_UPLOAD_BYTES = 2_000_000;

beforeAll(async () => {
  jpeg = await photo(PHOTOS.landscape);
  source = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/photo.jpg":
        response.writeHead(200, { "Content-Type": "image/jpeg" }).end(jpeg);
        return;
      case "/page.html":
        response.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>not an image</body></html>");
        return;
      case "/huge.jpg":
        response.writeHead(200, { "Content-Type": "image/jpeg" });
        response.write(jpeg);
        response.end(Buffer.alloc(MAX_UPLOAD_BYTES));
        return;
      case "/slow.jpg":
        response.writeHead(200, { "Content-Type": "image/jpeg" });
        response.write(jpeg.subarray(0, 1000)); // and never more
        return;
      case "/redirect":
        response.writeHead(302, { Location: "/photo.jpg" }).end();
        return;
      case "/to-other-loopback":
        response.writeHead(302, { Location: `http://127.0.0.2:${(source.address() as AddressInfo).port}/photo.jpg` });
        response.end();
        return;
      default:
        response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;

  const env = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1", MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) };
  gateway = await startGateway(env);
  apiKey = (await gateway.createAgency()).apiKey;
  optimizer = await startOptimizerBeside(gateway, { IMPORT_TIMEOUT_SECONDS: "2", ...env });
});

afterAll(async () => {
  await optimizer?.stop();
  await gateway?.close();
  source.closeAllConnections();
  await new Promise((resolve) => source.close(resolve));
});

async function importUrl(url: string, externalId?: string) {
  return gateway.request("/api/v1/media/upload-from-url", {
    method: "POST",
    ...json(externalId === undefined ? { url } : { url, externalId }),
    apiKey,
  });
}

/** Waits until the import's file ends, and answers the file and its job. */
async function settled(mediaId: number, jobId: number) {
  const file = await waitFor(
    `file ${mediaId} to settle`,
    async () => {
      const media = await body(await gateway.request(`/api/v1/media/${mediaId}`, { apiKey }));
      return media.optimization === "success" || media.optimization === "failed" ? media : undefined;
    },
    { timeoutMs: 30_000 },
  );
  const job = await body(await gateway.request(`/api/v1/job/status?id=${jobId}`, { apiKey }));
  return { file, job };
}

describe("import from URL", () => {
  it("answers 202 with the job, then the file is downloaded byte for byte and optimized", async () => {
    const response = await importUrl(`${sourceUrl}/photo.jpg`, "imported-1");
    expect(response.status).toBe(202);
    const accepted = await body(response);
    expect(accepted).toEqual({
      mediaId: expect.any(Number),
      status: "pending",
      externalId: "imported-1",
      jobId: expect.any(Number),
    });
    const { file, job } = await settled(accepted.mediaId, accepted.jobId);
    expect(file).toMatchObject({ optimization: "success", size: jpeg.length, contentType: "image/jpeg" });
    expect(file.variants).toHaveLength(3);
    const original = Buffer.from(await (await fetch(file.originalUrl)).arrayBuffer());
    expect(original.equals(jpeg)).toBe(true);
    expect(job).toMatchObject({
      id: accepted.jobId,
      type: "import_media",
      status: "completed",
      resultData: { mediaId: accepted.mediaId },
      publicErrorMessage: null,
    });
  });

  it("the same external ID and URL again answers 200 with the existing file", async () => {
    const first = await body(await importUrl(`${sourceUrl}/photo.jpg`, "imported-2"));
    const again = await importUrl(`${sourceUrl}/photo.jpg`, "imported-2");
    expect(again.status).toBe(200);
    expect((await body(again)).id).toBe(first.mediaId);
    const other = await importUrl(`${sourceUrl}/redirect`, "imported-2");
    expect(other.status).toBe(409);
    expect(await body(other)).toMatchObject({ message: "External ID already linked", mediaId: first.mediaId });
  });

  it("follows a redirect to an allowed address", async () => {
    const accepted = await body(await importUrl(`${sourceUrl}/redirect`));
    expect((await settled(accepted.mediaId, accepted.jobId)).file.optimization).toBe("success");
  });

  it.each([
    ["/missing.jpg", "the source answered 404"],
    ["/page.html", "the URL did not return an image of an accepted type"],
    ["/huge.jpg", "the file is larger than the upload limit"],
    ["/slow.jpg", "the download timed out"],
    ["/to-other-loopback", "the URL points to a private, loopback or link-local address"],
  ])("a failed download of %s makes the file and the job failed with the reason", async (route, reason) => {
    const accepted = await body(await importUrl(`${sourceUrl}${route}`));
    const { file, job } = await settled(accepted.mediaId, accepted.jobId);
    expect(file).toMatchObject({ optimization: "failed", optimizationError: reason, variants: [] });
    expect(job).toMatchObject({ status: "failed", publicErrorMessage: reason });
  });

  it("a failed download leaves no stored object and no temporary file", async () => {
    const accepted = await body(await importUrl(`${sourceUrl}/huge.jpg`));
    await settled(accepted.mediaId, accepted.jobId);
    const prefixes = await gateway.database.sql<{ storage_prefix: string }[]>`
      select storage_prefix from media where id = ${accepted.mediaId}`;
    expect(await filesUnder(`${gateway.dataDir}/objects/${prefixes[0]?.storage_prefix}`)).toEqual([]);
  });
});
