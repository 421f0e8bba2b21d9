import { parseArgs } from "node:util";
import { createDb, migrateDatabase, resolveDatabase } from "@darkroom/db";
import { createAgency, createApiKey, revokeApiKey, setAgencyStatus } from "./auth/agencies.ts";
import { readGatewayConfig } from "./env.ts";

const usage = `usage:
  cli agency create --name NAME
  cli agency suspend --id N
  cli agency activate --id N
  cli apikey create --agency N
  cli apikey revoke --key KEY`;

class UsageError extends Error {}

function positiveInt(value: string | undefined, flag: string): number {
  if (!value || !/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
    throw new UsageError(`--${flag} must be a positive integer`);
  }
  return Number(value);
}

type Db = ReturnType<typeof createDb>["db"];

async function run(db: Db, command: string, values: Record<string, string | undefined>): Promise<unknown> {
  switch (command) {
    case "agency create": {
      const name = values.name?.trim();
      if (!name || name.length > 200) throw new UsageError("--name must be 1-200 characters");
      return createAgency(db, name);
    }
    case "agency suspend":
    case "agency activate": {
      const id = positiveInt(values.id, "id");
      const status = command === "agency suspend" ? "suspended" : "active";
      if (!(await setAgencyStatus(db, id, status))) throw new Error(`no agency with id ${id}`);
      return { agencyId: id, status };
    }
    case "apikey create": {
      const apiKey = await createApiKey(db, positiveInt(values.agency, "agency"));
      if (!apiKey) throw new Error(`no agency with id ${values.agency}`);
      return { apiKey };
    }
    case "apikey revoke": {
      if (!values.key) throw new UsageError("--key is required");
      if (!(await revokeApiKey(db, values.key))) throw new Error("no such API key (or it is already revoked)");
      return { revoked: true };
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function main() {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { name: { type: "string" }, id: { type: "string" }, agency: { type: "string" }, key: { type: "string" } },
  });
  const command = positionals.join(" ");
  const config = readGatewayConfig();
  const database = await resolveDatabase(config.databaseUrl, config.dataDir);
  const { db, close } = createDb(database.url, { max: 1 });
  try {
    await migrateDatabase(database.url);
    console.log(JSON.stringify(await run(db, command, values)));
  } finally {
    await close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof UsageError ? `${error.message}\n${usage}` : error instanceof Error ? error.message : error,
  );
  process.exit(error instanceof UsageError ? 2 : 1);
});
