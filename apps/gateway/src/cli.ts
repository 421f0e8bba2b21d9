import { parseArgs } from "node:util";
import { createDb, migrateDatabase } from "@darkroom/db";
import { ValidationError } from "@darkroom/domain";
import { resolveDatabase } from "@darkroom/runtime";
import { createAgency, createApiKey, revokeApiKey, setAgencyStatus } from "./auth/agencies.ts";
import { type GatewayConfig, readGatewayConfig } from "./env.ts";
import { createWebhook, deleteWebhook } from "./services/webhooks.ts";

const usage = `usage:
  cli agency create --name NAME
  cli agency suspend --id N
  cli agency activate --id N
  cli apikey create --agency N
  cli apikey revoke --key KEY
  cli webhook create --agency N --url URL --events media.optimized,media.failed
  cli webhook delete --id N`;

class UsageError extends Error {}

function positiveInt(value: string | undefined, flag: string): number {
  if (!value || !/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
    throw new UsageError(`--${flag} must be a positive integer`);
  }
  return Number(value);
}

type Db = ReturnType<typeof createDb>["db"];

async function run(
  db: Db,
  config: GatewayConfig,
  command: string,
  values: Record<string, string | undefined>,
): Promise<unknown> {
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
    case "webhook create": {
      const agencyId = positiveInt(values.agency, "agency");
      if (!values.url) throw new UsageError("--url is required");
      if (!values.events) throw new UsageError("--events is required (comma-separated)");
      const events = values.events.split(",").map((event) => event.trim());
      const input = { url: values.url, events };
      const created = await createWebhook({ db, outboundAllowHosts: config.outboundAllowHosts }, agencyId, input);
      if (!created) throw new Error(`no agency with id ${agencyId}`);
      return created;
    }
    case "webhook delete":
      return deleteWebhook({ db }, null, positiveInt(values.id, "id"));
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function main() {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      name: { type: "string" },
      id: { type: "string" },
      agency: { type: "string" },
      key: { type: "string" },
      url: { type: "string" },
      events: { type: "string" },
    },
  });
  const command = positionals.join(" ");
  const config = readGatewayConfig();
  const database = await resolveDatabase(config.databaseUrl, config.dataDir);
  const { db, close } = createDb(database.url, { max: 1 });
  try {
    await migrateDatabase(database.url);
    console.log(JSON.stringify(await run(db, config, command, values)));
  } finally {
    await close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof UsageError
      ? `${error.message}\n${usage}`
      : error instanceof ValidationError
        ? error.problems.join("\n")
        : error instanceof Error
          ? error.message
          : error,
  );
  process.exit(error instanceof UsageError ? 2 : 1);
});
