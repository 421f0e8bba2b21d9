import { request } from "node:http";
import { type Gateway, startGateway } from "@darkroom/testing/gateway";
import { afterAll, describe, expect, it } from "vitest";

let gateway: Gateway | undefined;
afterAll(() => gateway?.database.close());

describe("closing the gateway", () => {
  it("waits for a handler whose client has gone away, so its database work still succeeds", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const events: string[] = [];
    let started = () => {};
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    gateway = await startGateway(
      {},
      {
        beforeListen: (app) =>
          app.get("/held", async () => {
            started();
            await held;
            const [row] = await (gateway as Gateway).database.sql<{ one: number }[]>`select 1 as one`;
            events.push(`handler wrote ${row?.one}`);
            return { ok: true };
          }),
      },
    );
    const { app, baseUrl } = gateway;

    // A client asks, then goes away before the answer.
    const req = request(`${baseUrl}/held`);
    req.on("error", () => {});
    req.end();
    await handlerStarted;
    req.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));

    const closed = app.close().then(() => events.push("closed"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual([]); // still waiting for the handler
    release();
    await closed;
    expect(events).toEqual(["handler wrote 1", "closed"]);
  });
});
