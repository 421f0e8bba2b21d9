import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database, Transaction } from "../client.ts";
import { preparedStatement } from "../prepared.ts";
import { agencies } from "../schema/agencies.ts";
import { apiKeys } from "../schema/api-keys.ts";

export type AgencyRow = Pick<typeof agencies.$inferSelect, "id" | "name" | "status">;
export type AgencyStatus = AgencyRow["status"];

/** The agency a key belongs to, when the key exists and is not revoked. */
const agencyForKeyHash = preparedStatement((db) =>
  db
    .select({ id: agencies.id, name: agencies.name, status: agencies.status })
    .from(apiKeys)
    .innerJoin(agencies, eq(agencies.id, apiKeys.agencyId))
    .where(and(eq(apiKeys.keyHash, sql.placeholder("hash")), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare("agency_for_key"),
);

/**
 * The statements of agencies and their API keys (known by their hashes only), on the database or a
 * transaction's handle (`lock` needs one: its lock lasts until it ends).
 */
export function agencyRepository(db: Database | Transaction) {
  return {
    /** The agency of the live (not revoked) key with SHA-256 `hash` (a prepared statement). */
    async forKeyHash(hash: string): Promise<AgencyRow | undefined> {
      const [row] = await agencyForKeyHash(db).execute({ hash });
      return row;
    },

    /** A new, active agency; answers its id. */
    async insert(name: string): Promise<number> {
      const [agency] = await db.insert(agencies).values({ name }).returning({ id: agencies.id });
      if (!agency) throw new Error("agency was not created");
      return agency.id;
    },

    async exists(id: number): Promise<boolean> {
      const [agency] = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, id));
      return agency !== undefined;
    },

    /** Locks the agency's row (FOR UPDATE); false when there is no such agency. */
    async lock(id: number): Promise<boolean> {
      const [agency] = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, id)).for("update");
      return agency !== undefined;
    },

    /** Sets the agency's status; false when there is no such agency. */
    async setStatus(id: number, status: AgencyStatus): Promise<boolean> {
      const rows = await db.update(agencies).set({ status }).where(eq(agencies.id, id)).returning({ id: agencies.id });
      return rows.length > 0;
    },

    async insertKey(agencyId: number, keyHash: string): Promise<void> {
      await db.insert(apiKeys).values({ agencyId, keyHash });
    },

    /** Revokes the live key with SHA-256 `keyHash` at once; false when no live key matches. */
    async revokeKey(keyHash: string): Promise<boolean> {
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      return rows.length > 0;
    },
  };
}

export type AgencyRepository = ReturnType<typeof agencyRepository>;
