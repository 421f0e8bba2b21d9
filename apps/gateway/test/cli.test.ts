import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { useTestDatabase } from "@darkroom/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agencyForKey } from "../src/auth/agencies.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const run = promisify(execFile);
let database: Awaited<ReturnType<typeof useTestDatabase>>;

/** Runs the CLI as `pnpm --silent cli …` does, and returns its one line of output. */
async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "apps/gateway/src/cli.ts", ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url },
  });
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? "");
}

async function cliFailure(...args: string[]) {
  try {
    await cli(...args);
  } catch (error) {
    return error as { code: number; stderr: string };
  }
  throw new Error("the command succeeded");
}

beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database?.close());

describe("cli", () => {
  it("agency create prints {agencyId, apiKey}, and the key authenticates", async () => {
    const created = await cli("agency", "create", "--name", "Rentix");
    expect(created).toEqual({ agencyId: expect.any(Number), apiKey: expect.stringMatching(/^drk_[A-Za-z0-9_-]{43}$/) });
    expect(await agencyForKey(database.db, created.apiKey)).toMatchObject({ id: created.agencyId, status: "active" });
  });

  it("agency suspend and activate change the status", async () => {
    const { agencyId, apiKey } = await cli("agency", "create", "--name", "Flaky");
    expect(await cli("agency", "suspend", "--id", String(agencyId))).toEqual({ agencyId, status: "suspended" });
    expect((await agencyForKey(database.db, apiKey))?.status).toBe("suspended");
    expect(await cli("agency", "activate", "--id", String(agencyId))).toEqual({ agencyId, status: "active" });
    expect((await agencyForKey(database.db, apiKey))?.status).toBe("active");
  });

  it("apikey create prints {apiKey}; apikey revoke prints {revoked: true}", async () => {
    const { agencyId } = await cli("agency", "create", "--name", "Keys");
    const { apiKey } = await cli("apikey", "create", "--agency", String(agencyId));
    expect(await agencyForKey(database.db, apiKey)).toMatchObject({ id: agencyId });
    expect(await cli("apikey", "revoke", "--key", apiKey)).toEqual({ revoked: true });
    expect(await agencyForKey(database.db, apiKey)).toBeUndefined();
  });

  it("webhook create prints {id, url, events, secret}; webhook delete prints {deleted: true}", async () => {
    const { agencyId } = await cli("agency", "create", "--name", "Hooked");
    const url = "https://93.184.216.34/hook";
    const created = await cli(
      "webhook",
      "create",
      "--agency",
      String(agencyId),
      "--url",
      url,
      "--events",
      "media.optimized,media.failed",
    );
    expect(created).toEqual({
      id: expect.any(Number),
      url,
      events: ["media.optimized", "media.failed"],
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(await cli("webhook", "delete", "--id", String(created.id))).toEqual({ deleted: true });
    const again = await cliFailure("webhook", "delete", "--id", String(created.id));
    expect(again.stderr).toContain("Webhook not found");
    const bad = await cliFailure("webhook", "create", "--agency", String(agencyId), "--url", url, "--events", "x");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("events must be a non-empty array");
  });

  it("bad commands exit non-zero with a message on stderr", async () => {
    expect((await cliFailure("agency", "create")).stderr).toContain("--name must be 1-200 characters");
    expect((await cliFailure("agency", "suspend", "--id", "abc")).stderr).toContain("--id must be a positive integer");
    expect((await cliFailure("agency", "suspend", "--id", "999999")).stderr).toContain("no agency with id 999999");
    expect((await cliFailure("apikey", "revoke", "--key", "drk_nope")).code).toBe(1);
    expect((await cliFailure("frobnicate")).code).toBe(2);
  });
});
