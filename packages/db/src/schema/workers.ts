import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Live optimizer workers say so every few seconds; a silent one is dead and its jobs are unlocked. */
export const optimizerHeartbeats = pgTable("optimizer_heartbeats", {
  workerId: text("worker_id").primaryKey(),
  lastSeen: timestamp("last_seen", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
