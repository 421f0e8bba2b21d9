import { body, type Gateway, json, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let gateway: Gateway;
let key: string;

beforeAll(async () => {
  gateway = await startGateway({ RATE_LIMIT_PER_MINUTE: "100000" });
  key = (await gateway.createAgency()).apiKey;
});
afterAll(() => gateway?.close());

describe("races", () => {
  it("a storm of links, unlinks and deletes over a few files and IDs ends consistent, with no 5xx", async () => {
    const png = await photo("goldfish.png");
    const files: number[] = [];
    for (let i = 0; i < 6; i++)
      files.push((await body(await upload(gateway, key, Buffer.concat([png, Buffer.from([i])])))).id);
    const externalIds = ["storm-a", "storm-b", "storm-c"];
    // a deterministic mix: every file gets links to every ID, unlinks, and two files are deleted midway
    const operations: (() => Promise<Response>)[] = [];
    for (let round = 0; round < 8; round++) {
      for (const [i, id] of files.entries()) {
        const externalId = externalIds[(i + round) % externalIds.length] as string;
        operations.push(() =>
          gateway.request(`/api/v1/media/${id}/link`, { method: "POST", ...json({ externalId }), apiKey: key }),
        );
        operations.push(() => gateway.request(`/api/v1/media/${id}/link`, { method: "DELETE", apiKey: key }));
      }
      if (round === 4) {
        operations.push(() => gateway.request(`/api/v1/media/${files[0]}`, { method: "DELETE", apiKey: key }));
        operations.push(() => gateway.request("/api/v1/media/external/storm-b", { method: "DELETE", apiKey: key }));
      }
    }
    const statuses = await Promise.all(operations.map((operation) => operation().then((r) => r.status)));
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => [200, 404, 409].includes(s))));

    // consistent: each external ID on at most one file, and what the API says is what the table holds
    const rows = await gateway.database.sql<{ id: number; external_id: string | null }[]>`
      select id, external_id from media where agency_id = (select agency_id from media where id = ${files[1] ?? 0})`;
    const held = rows.map((row) => row.external_id).filter((id): id is string => id !== null);
    expect(new Set(held).size).toBe(held.length);
    for (const row of rows) {
      const media = await body(await gateway.request(`/api/v1/media/${row.id}`, { apiKey: key }));
      expect(media.externalId).toBe(row.external_id);
      if (row.external_id) {
        const byExternal = await body(
          await gateway.request(`/api/v1/media/external/${row.external_id}`, { apiKey: key }),
        );
        expect(byExternal.id).toBe(row.id);
      }
    }
    expect(rows.map((row) => row.id)).not.toContain(files[0]);
  });
});
