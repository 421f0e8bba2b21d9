import type { TestProject } from "vitest/node";
import { prepareTestDatabaseServer } from "./database-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseServerUrl: string;
    templateDatabase: string;
  }
}

/** One migrated template database for the run; each test file clones its own from it. */
export default async function setup(project: TestProject) {
  const server = await prepareTestDatabaseServer(process.env.DATABASE_URL);
  project.provide("databaseServerUrl", server.serverUrl);
  project.provide("templateDatabase", server.template);
  return server.teardown;
}
