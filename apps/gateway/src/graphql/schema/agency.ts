import { parseId } from "@darkroom/domain";
import type { Agency } from "../../auth/agencies.ts";
import { builder } from "../builder.ts";

const AgencyStatusEnum = builder.enumType("AgencyStatus", {
  values: { ACTIVE: { value: "active" }, SUSPENDED: { value: "suspended" } } as const,
});

const AgencyRef = builder.objectRef<Agency>("Agency");

builder.node(AgencyRef, {
  description: "The tenant an API key belongs to. Only the caller's own agency is ever visible.",
  id: { resolve: (agency) => agency.id, parse: (id) => parseId(id) },
  loadOne: (id, ctx) => (id === ctx.agency.id ? ctx.agency : null),
  fields: (t) => ({
    databaseId: t.exposeInt("id"),
    name: t.exposeString("name"),
    status: t.expose("status", { type: AgencyStatusEnum }),
  }),
});

builder.queryField("agency", (t) =>
  t.field({
    type: AgencyRef,
    description: "The agency of the API key (REST: `GET /api/v1/agency`).",
    resolve: (_root, _args, ctx) => ctx.agency,
  }),
);
