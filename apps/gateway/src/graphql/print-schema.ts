import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { printedSchema } from "./schema/index.ts";

/** `pnpm --filter ./apps/gateway schema:print`: writes the schema that `test/graphql/schema.test.ts` checks. */
const schemaFile = fileURLToPath(new URL("../../schema.graphql", import.meta.url));

await writeFile(schemaFile, printedSchema());
console.log(`wrote ${schemaFile}`);
