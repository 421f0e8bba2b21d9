import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Runs this package's tests on their own, without the repository-wide database setup. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
