import { distinctCopy, type Gateway, photo, startGateway, uploadedId } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markOptimized, subscribe } from "./client.ts";

let gateway: Gateway;
let key: string;
let png: Buffer;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Rentix")).apiKey;
  png = await photo("goldfish.png");
});
afterAll(() => gateway?.close());

const uploaded = (apiKey = key) => uploadedId(gateway, apiKey, distinctCopy(png));

const WATCH = `subscription($id: Int!) {
  mediaUpdated(id: $id) { databaseId optimization optimizationError blurhash variants { variantSize } }
}`;

describe("mediaUpdated", () => {
  it("streams the file now, then every status change, over SSE", async () => {
    const id = await uploaded();
    const stream = await subscribe(gateway, key, WATCH, { id });
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(await stream.next()).toEqual({
        data: {
          mediaUpdated: {
            databaseId: id,
            optimization: "PENDING",
            optimizationError: null,
            blurhash: null,
            variants: [],
          },
        },
      });

      // Another process (the optimizer) changes the row: the database trigger publishes it.
      await gateway.database.sql`update media set optimization = 'in_progress' where id = ${id}`;
      expect((await stream.next()).data.mediaUpdated.optimization).toBe("IN_PROGRESS");

      await markOptimized(gateway, [id]);
      expect((await stream.next()).data.mediaUpdated).toMatchObject({
        optimization: "SUCCESS",
        blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
        variants: [{ variantSize: "128" }, { variantSize: "512" }, { variantSize: "1024" }],
      });

      // A change made through REST in this process arrives the same way.
      const reoptimized = await gateway.request(`/api/v1/media/${id}/reoptimize`, { method: "POST", apiKey: key });
      expect(reoptimized.status).toBe(202);
      expect((await stream.next()).data.mediaUpdated).toMatchObject({ optimization: "PENDING", variants: [] });

      await gateway.database.sql`
        update media set optimization = 'failed', optimization_error = 'Input image exceeds pixel limit' where id = ${id}`;
      expect((await stream.next()).data.mediaUpdated).toMatchObject({
        optimization: "FAILED",
        optimizationError: "Input image exceeds pixel limit",
      });
    } finally {
      stream.close();
    }
  });

  it("sees only its own file's changes", async () => {
    const [watched, other] = [await uploaded(), await uploaded()];
    const stream = await subscribe(gateway, key, WATCH, { id: watched });
    try {
      await stream.next();
      await gateway.database.sql`update media set optimization = 'in_progress' where id = ${other}`;
      await gateway.database.sql`update media set optimization = 'failed' where id = ${watched}`;
      expect((await stream.next()).data.mediaUpdated).toMatchObject({ databaseId: watched, optimization: "FAILED" });
    } finally {
      stream.close();
    }
  });

  it("a missing file is a FILE_NOT_FOUND error, then the stream completes", async () => {
    const stream = await subscribe(gateway, key, WATCH, { id: 999_999 });
    expect(await stream.next()).toMatchObject({
      errors: [{ message: "File not found", path: ["mediaUpdated"], extensions: { code: "FILE_NOT_FOUND" } }],
    });
    expect(await stream.next()).toBeUndefined();
  });

  it("needs the API key like everything else", async () => {
    const response = await gateway.request("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ query: WATCH, variables: { id: 1 } }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("API_KEY_REQUIRED");
  });

  it("one LISTEN connection serves every subscriber of the process", async () => {
    const ids = [await uploaded(), await uploaded(), await uploaded()];
    const streams = await Promise.all(ids.map((id) => subscribe(gateway, key, WATCH, { id })));
    try {
      for (const stream of streams) await stream.next();
      const listeners = await gateway.database.sql`
        select pid from pg_stat_activity
        where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`;
      expect(listeners).toHaveLength(1);
      await gateway.database
        .sql`update media set optimization = 'in_progress' where id in ${gateway.database.sql(ids)}`;
      for (const [i, stream] of streams.entries()) {
        expect((await stream.next()).data.mediaUpdated).toMatchObject({
          databaseId: ids[i],
          optimization: "IN_PROGRESS",
        });
      }
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});
