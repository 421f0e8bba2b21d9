/**
 * `pnpm start`: the whole service on one machine. Applies migrations, then runs the gateway and the
 * optimizer as two processes over the same database: DATABASE_URL, or an embedded Postgres under
 * DATA_DIR when it is unset. Ctrl-C (or SIGTERM) stops both gracefully.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { migrateDatabase } from "@darkroom/db";
import { resolveDatabase } from "@darkroom/runtime";
import { parseGatewayConfig } from "../apps/gateway/src/env.ts";
import { parseOptimizerConfig } from "../apps/optimizer/src/env.ts";
import { appNodeArgs } from "./node-args.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = process.env;

/**
 * glibc's malloc keeps many arenas that libvips' threads fragment: with two, the optimizer's RSS stays
 * flat over long runs (see docs/performance.md, "Optimizer memory"). It must be set before the process starts.
 */
const optimizerMalloc = { MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? "2" };

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main() {
  let gatewayConfig: ReturnType<typeof parseGatewayConfig>;
  try {
    gatewayConfig = parseGatewayConfig(env);
    parseOptimizerConfig(env);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const database = await resolveDatabase(gatewayConfig.databaseUrl, gatewayConfig.dataDir);
  await migrateDatabase(database.url);

  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(
      children.map((child) =>
        child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : undefined,
      ),
    );
    await database.stop();
    process.exit(code);
  };

  for (const app of ["gateway", "optimizer"] as const) {
    const child = spawn(process.execPath, [...appNodeArgs[app], "--import", "tsx", `apps/${app}/src/main.ts`], {
      cwd: root,
      env: {
        ...env,
        // As the production image runs: graphql-js skips its development checks (which cost GraphQL
        // requests about a tenth of their time); nothing else of ours or of our libraries changes.
        NODE_ENV: env.NODE_ENV ?? "production",
        DATABASE_URL: database.url,
        DATA_DIR: gatewayConfig.dataDir,
        ...optimizerMalloc,
      },
      stdio: "inherit",
    });
    child.once("exit", (code) => void stopAll(stopping ? 0 : (code ?? 1)));
    children.push(child);
  }
  console.error(`darkroom: gateway on ${gatewayConfig.publicUrl}, optimizer running (Ctrl-C stops both)`);
  process.once("SIGINT", () => void stopAll(0));
  process.once("SIGTERM", () => void stopAll(0));
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
