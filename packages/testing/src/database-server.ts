import { randomBytes } from "node:crypto";
import path from "node:path";
import { defaultDataDir, migrateDatabase } from "@darkroom/db";
import { startEmbeddedPostgres } from "@darkroom/runtime";
import postgres from "postgres";

/**
 * Test databases: one migrated template per test run, and a fresh clone of it for each test file,
 * so files run in parallel and never see each other's rows.
 */
export interface TestDatabaseServer {
  /** A URL of the server (any database on it). */
  serverUrl: string;
  template: string;
  teardown: () => Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Uses DATABASE_URL's server when given, else an embedded Postgres under `.data/test`. */
export async function prepareTestDatabaseServer(databaseUrl: string | undefined): Promise<TestDatabaseServer> {
  const server = databaseUrl
    ? { url: databaseUrl, stop: async () => {} }
    : await startEmbeddedPostgres(path.join(defaultDataDir, "test"));
  const template = `darkroom_template_${randomBytes(4).toString("hex")}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${template}"`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(withDatabase(server.url, template));
  return {
    serverUrl: server.url,
    template,
    teardown: async () => {
      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists "${template}" with (force)`);
      } finally {
        await sql.end();
      }
      await server.stop();
    },
  };
}

/** A new database cloned from the migrated template; `drop` removes it. */
export async function createTestDatabase(serverUrl: string, template: string) {
  const name = `darkroom_test_${randomBytes(6).toString("hex")}`;
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await sql.end();
  }
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
