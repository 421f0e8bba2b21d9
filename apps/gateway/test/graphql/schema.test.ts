import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { printedSchema } from "../../src/graphql/schema/index.ts";

it("the committed schema.graphql is the schema the code builds (regenerate: pnpm --filter ./apps/gateway schema:print)", async () => {
  const committed = await readFile(new URL("../../schema.graphql", import.meta.url), "utf8");
  expect(printedSchema()).toBe(committed);
});
