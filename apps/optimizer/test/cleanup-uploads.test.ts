import { schema } from "@darkroom/db";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "../../gateway/test/helpers.ts";
import { parseOptimizerConfig } from "../src/env.ts";
import { cleanupExpiredUploads } from "../src/tasks/cleanup-uploads.ts";

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway?.close());

describe("cleanup_expired_uploads", () => {
  it("removes direct uploads never completed after expiry, objects included, and keeps live ones", async () => {
    const { agencyId } = await gateway.createAgency();
    const bytes = Buffer.from("partial upload bytes");
    const uploads = [
      { mediaId: 900_001, prefix: "m/expiredprefix0000000000", expiresAt: new Date(Date.now() - 60_000) },
      { mediaId: 900_002, prefix: "m/liveprefix000000000000000", expiresAt: new Date(Date.now() + 600_000) },
    ];
    for (const upload of uploads) {
      const objectKey = `${upload.prefix}/original.jpg`;
      await gateway.storage.put(objectKey, bytes, { contentType: "image/jpeg", size: bytes.length });
      await gateway.database.db.insert(schema.pendingUploads).values({
        mediaId: upload.mediaId,
        agencyId,
        contentType: "image/jpeg",
        size: bytes.length,
        storagePrefix: upload.prefix,
        objectKey,
        expiresAt: upload.expiresAt,
      });
    }
    const task = cleanupExpiredUploads({
      db: gateway.database.db,
      storage: gateway.storage,
      config: parseOptimizerConfig({ DATABASE_URL: gateway.database.url }),
    });
    await task({}, { logger: pino({ level: "silent" }) } as never);
    const left = await gateway.database.sql<{ media_id: number }[]>`select media_id from pending_uploads`;
    expect(left.map((row) => row.media_id)).toEqual([900_002]);
    expect(await gateway.storage.head("m/expiredprefix0000000000/original.jpg")).toBeNull();
    expect(await gateway.storage.head("m/liveprefix000000000000000/original.jpg")).not.toBeNull();
  });
});
