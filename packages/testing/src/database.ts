import { createDb } from "@darkroom/db";
import { inject } from "vitest";
import { createTestDatabase } from "./database-server.ts";

/** A fresh, migrated database for one test file, with a pool over it. */
export async function useTestDatabase(options: { onQuery?: (query: string) => void } = {}) {
  const database = await createTestDatabase(inject("databaseServerUrl"), inject("templateDatabase"));
  const client = createDb(database.url, { max: 10, ...options });
  return {
    url: database.url,
    ...client,
    close: async () => {
      await client.close();
      await database.drop();
    },
  };
}
