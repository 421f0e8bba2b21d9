import { clientJobRepository, type Database } from "@darkroom/db";
import { DomainError, toRestJob } from "@darkroom/domain";

/** A client job of the caller's agency; another agency's job answers like a missing one. */
export async function getClientJob(db: Database, agencyId: number, id: number) {
  const job = await clientJobRepository(db).find(agencyId, id);
  if (!job) throw new DomainError("JOB_NOT_FOUND");
  return toRestJob(job);
}

/** The client jobs of the caller's agency among `ids` (one statement), in no particular order. */
export async function findClientJobs(db: Database, agencyId: number, ids: readonly number[]) {
  return (await clientJobRepository(db).findMany(agencyId, ids)).map(toRestJob);
}
