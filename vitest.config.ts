import { defineConfig } from "vitest/config";

/**
 * Two projects: `unit`, the pure tests beside the code (`*.test.ts` in a src folder, no database, no
 * global setup; `pnpm test:unit`), and `integration`, each app's and package's test folder plus the
 * end-to-end tests of several apps under test/ (a real Postgres: a migrated template per run, a clone
 * per file). `pnpm test` runs both.
 */
export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["apps/*/src/**/*.test.ts", "packages/*/src/**/*.test.ts", "docker/test/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["apps/*/test/**/*.test.ts", "packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["./packages/testing/src/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
    ],
  },
});
