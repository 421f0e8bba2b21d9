import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, migrateDatabase } from "@darkroom/db";
import { freePort, startEmbeddedPostgres } from "@darkroom/runtime";
import { useTestDatabase } from "@darkroom/testing";
import { body, photo } from "@darkroom/testing/gateway";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { createAgency } from "../src/auth/agencies.ts";
import { parseGatewayConfig } from "../src/env.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe("Postgres restarted under the gateway", () => {
  it("/healthz says 503 meanwhile, requests answer 503, and the gateway recovers without a restart", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-pg-restart-"));
    await chmod(dataDir, 0o755); // as root, the server runs as the postgres user, which must reach it
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let postgres = await startEmbeddedPostgres(dataDir, { port });
    cleanups.push(() => postgres.stop());
    await migrateDatabase(postgres.url);
    const { db, sql, reads, close } = createDb(postgres.url);
    cleanups.push(close);
    const { apiKey } = await createAgency(db, "Steady");
    const gatewayPort = await freePort();
    const config = parseGatewayConfig({
      DATABASE_URL: postgres.url,
      DATA_DIR: dataDir,
      PORT: String(gatewayPort),
      LOG_LEVEL: "silent",
    });
    const { createFilesystemStorage } = await import("@darkroom/storage");
    const storage = createFilesystemStorage({
      root: path.join(dataDir, "objects"),
      publicUrl: config.publicUrl,
      signingSecret: "test-signing-secret-0123456789",
    });
    const app = await buildApp({ config, db, sql, reads, storage });
    await app.listen({ port: gatewayPort, host: "127.0.0.1" });
    cleanups.push(async () => {
      app.server.closeAllConnections();
      await app.close();
    });
    const base = `http://127.0.0.1:${gatewayPort}`;
    const agency = () => fetch(`${base}/api/v1/agency`, { headers: { "X-API-Key": apiKey } });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await agency()).status).toBe(200);

    await postgres.stop();
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "unavailable" });
    // A route that reads the database answers 503 (the caller's key may still be served from the
    // gateway's key cache, so the refusal comes from the read itself).
    const refused = await fetch(`${base}/api/v1/media?limit=1`, { headers: { "X-API-Key": apiKey } });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ statusCode: 503, message: "Service Unavailable" });

    postgres = await startEmbeddedPostgres(dataDir, { port });
    let healthy = 0;
    for (let i = 0; i < 100 && healthy !== 200; i++) {
      healthy = (await fetch(`${base}/healthz`)).status;
      if (healthy !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy).toBe(200);
    expect(await (await agency()).json()).toMatchObject({ name: "Steady", status: "active" });
  }, 60_000);
});

function spawnApp(app: "gateway" | "optimizer", env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", `apps/${app}/src/main.ts`], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "silent", OPTIMIZER_METRICS_PORT: "0", ...env },
    stdio: "ignore",
  });
  cleanups.push(async () => child.exitCode === null && child.kill("SIGKILL"));
  return child;
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code)),
  );

describe("SIGTERM", () => {
  it("the gateway finishes an upload in flight, then exits 0", async () => {
    const database = await useTestDatabase();
    cleanups.push(database.close);
    const { apiKey } = await createAgency(database.db, "Graceful");
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-sigterm-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const gateway = spawnApp("gateway", { DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(port) });
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/healthz`)
          .then((r) => r.ok)
          .catch(() => false)
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const jpeg = await photo("Picture_1A_by_freespace.jpg");
    const boundary = "----darkroom-sigterm";
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `http://127.0.0.1:${port}/api/v1/media`,
        {
          method: "POST",
          headers: {
            "X-API-Key": apiKey,
            "Content-Type": `multipart/form-data; boundary=${boundary}`,
            "Content-Length": head.length + jpeg.length + tail.length,
          },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      // Half the upload, then SIGTERM, then the rest.
      req.write(Buffer.concat([head, jpeg.subarray(0, 500_000)]));
      setTimeout(() => {
        gateway.kill("SIGTERM");
        setTimeout(() => req.end(Buffer.concat([jpeg.subarray(500_000), tail])), 500);
      }, 300);
    });
    const answered = await response;
    expect(answered.status).toBe(201);
    expect(JSON.parse(answered.text)).toMatchObject({ size: jpeg.length, optimization: "pending" });
    expect(await exitOf(gateway)).toBe(0);
  }, 60_000);

  it("the optimizer finishes the job in flight, then exits 0", async () => {
    const database = await useTestDatabase();
    cleanups.push(database.close);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "darkroom-sigterm-opt-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // Upload through an in-process gateway sharing DATA_DIR, so the optimizer finds the original.
    const { startGateway, upload } = await import("@darkroom/testing/gateway");
    const gateway = await startGateway({}, {});
    cleanups.push(gateway.close);
    const { apiKey } = await gateway.createAgency();
    const media = await body(await upload(gateway, apiKey, await photo("sunset_by_Aitzol_Berasategi.jpg")));
    const listener = createDb(gateway.database.url, { max: 1 });
    cleanups.push(listener.close);
    const inProgress = new Promise<void>((resolve) => {
      void listener.sql.listen("media_updated", (payload) => {
        if (JSON.parse(payload).optimization === "in_progress") resolve();
      });
    });
    const optimizer = spawnApp("optimizer", { DATABASE_URL: gateway.database.url, DATA_DIR: gateway.dataDir });
    await inProgress;
    optimizer.kill("SIGTERM");
    expect(await exitOf(optimizer)).toBe(0);
    const [row] = await gateway.database.sql<{ optimization: string }[]>`
      select optimization from media where id = ${media.id}`;
    expect(row?.optimization).toBe("success");
  }, 60_000);
});
