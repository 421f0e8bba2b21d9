import { type AgencyRow, agencyRepository, type Database } from "@darkroom/db";
import { generateApiKey, hashApiKey } from "./api-keys.ts";

export type Agency = AgencyRow;

export async function agencyForKey(db: Database, key: string): Promise<Agency | undefined> {
  return agencyForHash(db, hashApiKey(key));
}

/** The agency a key belongs to, from the key's hash, when the key exists and is not revoked. */
export async function agencyForHash(db: Database, hash: string): Promise<Agency | undefined> {
  return agencyRepository(db).forKeyHash(hash);
}

export async function createAgency(db: Database, name: string): Promise<{ agencyId: number; apiKey: string }> {
  return db.transaction(async (tx) => {
    const agencies = agencyRepository(tx);
    const agencyId = await agencies.insert(name);
    const apiKey = generateApiKey();
    await agencies.insertKey(agencyId, hashApiKey(apiKey));
    return { agencyId, apiKey };
  });
}

/** Sets the agency's status; false when there is no such agency. */
export async function setAgencyStatus(db: Database, id: number, status: Agency["status"]): Promise<boolean> {
  return agencyRepository(db).setStatus(id, status);
}

/** A new key for an existing agency; undefined when there is no such agency. */
export async function createApiKey(db: Database, agencyId: number): Promise<string | undefined> {
  const agencies = agencyRepository(db);
  if (!(await agencies.exists(agencyId))) return undefined;
  const apiKey = generateApiKey();
  await agencies.insertKey(agencyId, hashApiKey(apiKey));
  return apiKey;
}

/** Revokes a key at once; false when no live key matches. */
export async function revokeApiKey(db: Database, key: string): Promise<boolean> {
  return agencyRepository(db).revokeKey(hashApiKey(key));
}
