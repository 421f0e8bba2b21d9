import { type Database, schema } from "@darkroom/db";
import { DomainError, toRestJob } from "@darkroom/domain";
import { and, eq, inArray } from "drizzle-orm";

/** A client job of the caller's agency; another agency's job answers like a missing one. */
export async function getClientJob(db: Database, agencyId: number, id: number) {
  const [job] = await db
    .select()
    .from(schema.clientJobs)
    .where(and(eq(schema.clientJobs.id, id), eq(schema.clientJobs.agencyId, agencyId)));
  if (!job) throw new DomainError("JOB_NOT_FOUND");
  return toRestJob(job);
}

/** The client jobs of the caller's agency among `ids` (one statement), in no particular order. */
export async function findClientJobs(db: Database, agencyId: number, ids: readonly number[]) {
  if (ids.length === 0) return [];
  const jobs = await db
    .select()
    .from(schema.clientJobs)
    .where(and(inArray(schema.clientJobs.id, [...ids]), eq(schema.clientJobs.agencyId, agencyId)));
  return jobs.map(toRestJob);
}
