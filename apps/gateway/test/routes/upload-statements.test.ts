import { body, distinctCopy, type Gateway, photo, startGateway, upload } from "@darkroom/testing/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let gateway: Gateway;
let key: string;
let jpeg: Buffer;
const statements: string[] = [];

beforeAll(async () => {
  gateway = await startGateway({}, { onQuery: (query) => statements.push(query) });
  key = (await gateway.createAgency("Statements")).apiKey;
  jpeg = await photo("Picture_1A_by_freespace.jpg");
  // The key is looked up once, then cached (as for any client making more than one request).
  expect((await upload(gateway, key, distinctCopy(jpeg))).status).toBe(201);
});
afterAll(() => gateway?.close());

describe("an upload's database work", () => {
  it("is one statement: the file's row and its optimization job, together", async () => {
    statements.length = 0;
    const response = await upload(gateway, key, distinctCopy(jpeg));
    expect(response.status).toBe(201);
    const { id } = (await body(response)) as { id: number };
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/insert into "media"[\s\S]*graphile_worker\.add_job/);

    const [row] = await gateway.database.sql<
      { original_key: string }[]
    >`select original_key from media where id = ${id}`;
    const [job] = await gateway.database.sql<{ payload: unknown; max_attempts: number }[]>`
      select j.payload, j.max_attempts from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'optimize_media' and (j.payload->>'mediaId')::int = ${id}`;
    expect(job).toEqual({
      payload: { mediaId: id, generation: 1, originalKey: row?.original_key },
      max_attempts: 25,
    });
  });

  it("uploads racing for one external ID: one file and one job, the others 409 with nothing left", async () => {
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => upload(gateway, key, distinctCopy(jpeg), "raced-for")),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    const rows = await gateway.database.sql<{ id: number }[]>`select id from media where external_id = 'raced-for'`;
    expect(rows).toHaveLength(1);
    // Every queued optimization is of a file that exists: a refused insert queued nothing.
    const [{ orphans } = { orphans: -1 }] = await gateway.database.sql<{ orphans: number }[]>`
      select count(*)::int as orphans from graphile_worker._private_jobs j
      where not exists (select 1 from media m where m.id = (j.payload->>'mediaId')::int)`;
    expect(orphans).toBe(0);
  });
});
