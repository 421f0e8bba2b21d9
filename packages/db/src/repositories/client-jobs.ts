import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Transaction } from "../client.ts";
import { clientJobs } from "../schema/jobs.ts";

export type ClientJobRow = typeof clientJobs.$inferSelect;

/** What a client job's update may change (its `updated_at` is set with it). */
export type ClientJobChange = Partial<Pick<ClientJobRow, "status" | "resultData" | "publicErrorMessage">>;

/**
 * The statements of client jobs (the work a client started and may poll), on the database or a
 * transaction's handle. Methods given an agency answer its jobs only, never another's.
 */
export function clientJobRepository(db: Database | Transaction) {
  return {
    async find(agencyId: number, id: number): Promise<ClientJobRow | undefined> {
      const [job] = await db
        .select()
        .from(clientJobs)
        .where(and(eq(clientJobs.id, id), eq(clientJobs.agencyId, agencyId)));
      return job;
    },

    /** The agency's jobs among `ids` (one statement), in no particular order. */
    async findMany(agencyId: number, ids: readonly number[]): Promise<ClientJobRow[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(clientJobs)
        .where(and(inArray(clientJobs.id, [...ids]), eq(clientJobs.agencyId, agencyId)));
    },

    /** A new `pending` job; answers its id. */
    async insert(job: { agencyId: number; type: string; mediaId?: number }): Promise<number> {
      const [row] = await db.insert(clientJobs).values(job).returning({ id: clientJobs.id });
      if (!row) throw new Error("job row was not inserted");
      return row.id;
    },

    async update(id: number, change: ClientJobChange): Promise<void> {
      await db
        .update(clientJobs)
        .set({ ...change, updatedAt: sql`now()` })
        .where(eq(clientJobs.id, id));
    },
  };
}

export type ClientJobRepository = ReturnType<typeof clientJobRepository>;
