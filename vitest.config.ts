import { defineConfig } from "vitest/config";

/**
 * Two projects: `unit`, the pure tests beside the code (`*.test.ts` in a src folder, no database, no
 * global setup; `pnpm test:unit`), and `integration`, each app's and package's test folder plus the
 * end-to-end tests of several apps under test/ (a real Postgres: a migrated template per run, a clone
 * per file). `pnpm test` runs both, in one pool of processes.
 *
 * Most integration tests wait on Postgres, jobs, retries and child processes rather than compute, so
 * three files run at once even on two cores (vitest's default there is one). Each process keeps its
 * imported modules from one test file to the next (`isolate: false`): every file builds its own
 * apps, pools and storage, and importing the gateway and the optimizer again for each file was a
 * large share of the suite's time.
 */
export default defineConfig({
  test: {
    reporters: ["default"],
    pool: "forks",
    maxWorkers: 3,
    isolate: false,
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["apps/*/src/**/*.test.ts", "packages/*/src/**/*.test.ts", "docker/test/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["apps/*/test/**/*.test.ts", "packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["./packages/testing/src/global-setup.ts"],
          setupFiles: ["./packages/testing/src/setup-file.ts"],
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
