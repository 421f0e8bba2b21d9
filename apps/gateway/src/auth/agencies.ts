import { type Database, preparedStatement, schema } from "@darkroom/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { generateApiKey, hashApiKey } from "./api-keys.ts";

export interface Agency {
  id: number;
  name: string;
  status: "active" | "suspended";
}

/** The agency a key belongs to, when the key exists and is not revoked. */
const agencyForKeyHash = preparedStatement((db) =>
  db
    .select({ id: schema.agencies.id, name: schema.agencies.name, status: schema.agencies.status })
    .from(schema.apiKeys)
    .innerJoin(schema.agencies, eq(schema.agencies.id, schema.apiKeys.agencyId))
    .where(and(eq(schema.apiKeys.keyHash, sql.placeholder("hash")), isNull(schema.apiKeys.revokedAt)))
    .limit(1)
    .prepare("agency_for_key"),
);

export async function agencyForKey(db: Database, key: string): Promise<Agency | undefined> {
  return agencyForHash(db, hashApiKey(key));
}

/** The same, from the key's hash. */
export async function agencyForHash(db: Database, hash: string): Promise<Agency | undefined> {
  const [row] = await agencyForKeyHash(db).execute({ hash });
  return row;
}

export async function createAgency(db: Database, name: string): Promise<{ agencyId: number; apiKey: string }> {
  return db.transaction(async (tx) => {
    const [agency] = await tx.insert(schema.agencies).values({ name }).returning({ id: schema.agencies.id });
    if (!agency) throw new Error("agency was not created");
    const apiKey = generateApiKey();
    await tx.insert(schema.apiKeys).values({ agencyId: agency.id, keyHash: hashApiKey(apiKey) });
    return { agencyId: agency.id, apiKey };
  });
}

/** Sets the agency's status; false when there is no such agency. */
export async function setAgencyStatus(db: Database, id: number, status: Agency["status"]): Promise<boolean> {
  const rows = await db
    .update(schema.agencies)
    .set({ status })
    .where(eq(schema.agencies.id, id))
    .returning({ id: schema.agencies.id });
  return rows.length > 0;
}

/** A new key for an existing agency; undefined when there is no such agency. */
export async function createApiKey(db: Database, agencyId: number): Promise<string | undefined> {
  const [agency] = await db
    .select({ id: schema.agencies.id })
    .from(schema.agencies)
    .where(eq(schema.agencies.id, agencyId));
  if (!agency) return undefined;
  const apiKey = generateApiKey();
  await db.insert(schema.apiKeys).values({ agencyId, keyHash: hashApiKey(apiKey) });
  return apiKey;
}

/** Revokes a key at once; false when no live key matches. */
export async function revokeApiKey(db: Database, key: string): Promise<boolean> {
  const rows = await db
    .update(schema.apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(schema.apiKeys.keyHash, hashApiKey(key)), isNull(schema.apiKeys.revokedAt)))
    .returning({ id: schema.apiKeys.id });
  return rows.length > 0;
}
