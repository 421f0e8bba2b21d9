import { pgEnum, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns.ts";

export const agencyStatus = pgEnum("agency_status", ["active", "suspended"]);

export const agencies = pgTable("agencies", {
  id: id(),
  name: text("name").notNull(),
  status: agencyStatus("status").notNull().default("active"),
  createdAt: createdAt(),
});
