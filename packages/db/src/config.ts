import { fileURLToPath } from "node:url";
import { z } from "zod";

/** `<repository>/.data`: the default DATA_DIR of every command, wherever it is started from. */
export const defaultDataDir = fileURLToPath(new URL("../../../.data", import.meta.url));

/** The database variables every app reads (composed into each app's env module). */
export const databaseEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default(defaultDataDir),
});

/** Turns a failed zod parse into one message that names each variable. */
export function describeEnvProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`).join("; ");
}
