import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { printedSchema, schema } from "../../src/graphql/schema/index.ts";

it("the committed schema.graphql is the schema the code builds (regenerate: pnpm --filter ./apps/gateway schema:print)", async () => {
  const committed = await readFile(new URL("../../schema.graphql", import.meta.url), "utf8");
  expect(printedSchema()).toBe(committed);
});

it("no type, field or argument names a location or raw metadata (GPS is never exposed)", () => {
  const names: string[] = [];
  for (const type of Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith("__"))) {
    names.push(type.name);
    if (!("getFields" in type)) continue;
    for (const field of Object.values(type.getFields())) {
      names.push(field.name, ...("args" in field ? field.args.map((arg: { name: string }) => arg.name) : []));
    }
  }
  expect(names).toContain("capturedAt");
  expect(names.filter((name) => /gps|latitude|longitude|altitude|exif|xmp|iptc|geo|location/i.test(name))).toEqual([]);
});
