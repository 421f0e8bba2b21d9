import { AUTH_CHANGED_CHANNEL, type Database, type Sql } from "@darkroom/db";
import { type Agency, agencyForHash } from "./agencies.ts";
import { hashApiKey } from "./api-keys.ts";

/** The agency a presented key belongs to (undefined for an unknown or revoked key). */
export interface AgencyLookup {
  (key: string): Promise<Agency | undefined>;
  /** Resolves once changes are listened for (keys are cached from then on). */
  ready: Promise<void>;
  /** Stops listening for changes. */
  close(): Promise<void>;
}

export interface KeyCacheOptions {
  /** How long a looked-up key is trusted when no change is heard of (the bound if a notification is lost). */
  ttlMs?: number;
  /** At most this many keys are held; past it the cache starts afresh. */
  maxEntries?: number;
}

/**
 * Looks keys up in the database and remembers the keys that exist for `ttlMs`, so a busy client
 * costs one statement a request instead of two. Access is only ever taken away by a change the
 * database publishes on `auth_changed` (a trigger on keys and agencies, whoever makes the change);
 * on that notification the whole cache is dropped, so a revoked key or a suspended agency is refused
 * as soon as the change commits, on every gateway. Until the LISTEN is active, and again from each
 * reconnection of it, nothing stale survives: the cache is dropped when listening (re)starts. Unknown
 * keys are never cached (guessing costs a lookup each time), and a lookup that began before a
 * change is not stored after it.
 */
export function cachedAgencyLookup(db: Database, sql: Sql, options: KeyCacheOptions = {}): AgencyLookup {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { agency: Agency; until: number }>();
  let generation = 0;
  let listening = false;

  const drop = () => {
    cache.clear();
    generation++;
  };
  const listen = sql
    .listen(AUTH_CHANGED_CHANNEL, drop, () => {
      drop();
      listening = true;
    })
    .catch(() => undefined); // without the LISTEN every lookup goes to the database

  const lookup = async (key: string) => {
    const hash = hashApiKey(key);
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.agency;
    const seen = generation;
    const agency = await agencyForHash(db, hash);
    if (agency && listening && seen === generation) {
      if (cache.size >= maxEntries) cache.clear();
      cache.set(hash, { agency, until: Date.now() + ttlMs });
    } else if (!agency) {
      cache.delete(hash);
    }
    return agency;
  };
  return Object.assign(lookup, {
    ready: listen.then(() => undefined),
    async close() {
      listening = false;
      drop();
      await (await listen)?.unlisten();
    },
  });
}
