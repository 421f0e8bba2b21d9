import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { body, type Gateway, json, startGateway, upload } from "@darkroom/testing/gateway";
import { PHOTOS, photo, startOptimizerBeside, waitFor } from "@darkroom/testing/optimizer";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../apps/optimizer/src/worker.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Local receivers: 127.0.0.1 is allowed through OUTBOUND_ALLOW_HOSTS, 127.0.0.2 is not. */
let receiver: Server;
let forbidden: Server;
const received: Received[] = [];
let forbiddenCalls = 0;
let flakyCalls = 0;
let gateway: Gateway;
let optimizer: Optimizer;
let apiKey: string;
let agencyId: number;
let jpeg: Buffer;
const secrets: Record<string, string> = {};

function listen(server: Server, host: string) {
  return new Promise<number>((resolve) =>
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: Server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
}

const receivedAt = (path: string, type?: string) =>
  received.filter((r) => r.path === path && (type === undefined || JSON.parse(r.body).type === type));

function verify(path: string, message: Received) {
  const secret = secrets[path];
  if (!secret) throw new Error(`no webhook for ${path}`);
  return new Webhook(secret).verify(message.body, message.headers as Record<string, string>);
}

beforeAll(async () => {
  jpeg = await photo(PHOTOS.landscape);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      if (path === "/flaky" && ++flakyCalls === 1) return response.writeHead(500).end("try again");
      response.writeHead(204).end();
    });
  });
  const port = await listen(receiver, "127.0.0.1");
  forbidden = createServer((_request, response) => {
    forbiddenCalls++;
    response.writeHead(204).end();
  });
  const forbiddenPort = await listen(forbidden, "127.0.0.2");

  const env = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" };
  gateway = await startGateway(env);
  ({ apiKey, agencyId } = await gateway.createAgency());
  const hooks: [string, string[]][] = [
    ["/ok", ["media.optimized", "media.failed", "media.deleted", "listing.published"]],
    ["/flaky", ["media.optimized"]],
  ];
  for (const [path, events] of hooks) {
    const response = await gateway.request("/api/v1/webhooks", {
      method: "POST",
      ...json({ url: `http://127.0.0.1:${port}${path}`, events }),
      apiKey,
    });
    expect(response.status).toBe(201);
    secrets[path] = (await body(response)).secret;
  }
  // As if the address had changed since the webhook was created: it must still never be called.
  await gateway.database.sql`
    insert into webhooks (agency_id, url, events, secret)
    values (${agencyId}, ${`http://127.0.0.2:${forbiddenPort}/hook`}, ${["media.optimized", "media.deleted"]},
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`;

  optimizer = await startOptimizerBeside(gateway, { ...env });
});

afterAll(async () => {
  await optimizer?.stop();
  await gateway?.close();
  await close(receiver);
  await close(forbidden);
});

describe("webhooks end to end", () => {
  let mediaId: number;

  it("an optimized upload sends media.optimized, signed so that standardwebhooks verifies it", async () => {
    const uploaded = await upload(gateway, apiKey, jpeg, "photo-1");
    expect(uploaded.status).toBe(201);
    mediaId = (await body(uploaded)).id;
    const [message] = await waitFor("media.optimized at /ok", async () => {
      const found = receivedAt("/ok", "media.optimized");
      return found.length > 0 ? found : undefined;
    });
    if (!message) throw new Error("no message");
    expect(message.headers["content-type"]).toBe("application/json");
    expect(message.headers["webhook-id"]).toMatch(/^msg_/);
    expect(message.headers["webhook-signature"]).toMatch(/^v1,/);
    const payload = verify("/ok", message);
    expect(payload).toEqual({
      id: message.headers["webhook-id"],
      type: "media.optimized",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { mediaId, externalId: "photo-1", width: 1365, height: 1074 },
    });
    const media = await body(await gateway.request(`/api/v1/media/${mediaId}`, { apiKey }));
    expect(media.optimization).toBe("success");
  });

  it("a receiver that answers 500 first gets the same webhook-id and body again, and the delivery ends delivered", async () => {
    const calls = await waitFor(
      "the retry at /flaky",
      async () => {
        const found = receivedAt("/flaky");
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const [first, second] = calls as [Received, Received];
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(second.body).toBe(first.body);
    expect(verify("/flaky", second)).toMatchObject({ type: "media.optimized", data: { mediaId } });
    const row = await waitFor("the delivery to be marked delivered", async () => {
      const [delivery] = await gateway.database.sql<
        { attempts: number; delivered: boolean; last_error: string | null; event_id: string }[]
      >`
        select d.attempts, d.delivered_at is not null as delivered, d.last_error, d.event_id
        from webhook_deliveries d join webhooks w on w.id = d.webhook_id
        where w.url like '%/flaky'`;
      return delivery?.delivered ? delivery : undefined;
    });
    expect(row).toEqual({ attempts: 2, delivered: true, last_error: null, event_id: first.headers["webhook-id"] });
  });

  it("deleting a file sends media.deleted", async () => {
    const response = await gateway.request(`/api/v1/media/${mediaId}`, { method: "DELETE", apiKey });
    expect(response.status).toBe(200);
    const [message] = await waitFor("media.deleted at /ok", async () => {
      const found = receivedAt("/ok", "media.deleted");
      return found.length > 0 ? found : undefined;
    });
    if (!message) throw new Error("no message");
    expect(verify("/ok", message)).toMatchObject({
      type: "media.deleted",
      data: { mediaId, externalId: "photo-1" },
    });
  });

  it("a file that cannot be optimized sends media.failed", async () => {
    const broken = await upload(gateway, apiKey, jpeg.subarray(0, 2000), "broken");
    expect(broken.status).toBe(201);
    const brokenId = (await body(broken)).id;
    const [message] = await waitFor("media.failed at /ok", async () => {
      const found = receivedAt("/ok", "media.failed");
      return found.length > 0 ? found : undefined;
    });
    if (!message) throw new Error("no message");
    expect(verify("/ok", message)).toMatchObject({
      type: "media.failed",
      data: { mediaId: brokenId, externalId: "broken", error: expect.any(String) },
    });
  });

  it("a webhook on a private address that is not allowed is never called; the attempt is recorded", async () => {
    const row = await waitFor("a failed attempt to the forbidden address", async () => {
      const [delivery] = await gateway.database.sql<{ attempts: number; last_error: string | null }[]>`
        select d.attempts, d.last_error from webhook_deliveries d join webhooks w on w.id = d.webhook_id
        where w.url like 'http://127.0.0.2:%' and d.attempts > 0 order by d.id limit 1`;
      return delivery;
    });
    expect(row.last_error).toMatch(/private, loopback or link-local/);
    expect(forbiddenCalls).toBe(0);
  });

  it("no event is recorded for an agency without webhooks", async () => {
    const { apiKey: quiet } = await gateway.createAgency("Quiet");
    const before = await gateway.database.sql`select count(*)::int as n from webhook_deliveries`;
    const response = await upload(gateway, quiet, jpeg, "quiet");
    const id = (await body(response)).id;
    await waitFor("the quiet file to be optimized", async () => {
      const media = await body(await gateway.request(`/api/v1/media/${id}`, { apiKey: quiet }));
      return media.optimization === "success" ? true : undefined;
    });
    const after = await gateway.database.sql`select count(*)::int as n from webhook_deliveries`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});
