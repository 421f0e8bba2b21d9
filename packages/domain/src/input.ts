import { ValidationError } from "./errors.ts";

/** Largest id a row can have (Postgres integer). */
export const MAX_ID = 2_147_483_647;

/** A positive integer id from a path or body, or a ValidationError. */
export function parseId(value: unknown, field = "id"): number {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > MAX_ID) {
    throw new ValidationError([`${field} must be a positive integer`]);
  }
  return Number(text);
}

export const PAGE_SIZE = { default: 20, min: 1, max: 100 } as const;

/** A page size from a query string: default 20, 1-100. */
export function parseLimit(value: unknown): number {
  if (value === undefined || value === "") return PAGE_SIZE.default;
  const text = String(value);
  if (!/^[1-9][0-9]{0,2}$/.test(text) || Number(text) < PAGE_SIZE.min || Number(text) > PAGE_SIZE.max) {
    throw new ValidationError([`limit must be an integer from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}`]);
  }
  return Number(text);
}

/** Opaque page cursors: the id of the last row of the page, newest first. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(JSON.stringify({ before: lastId })).toString("base64url");
}

/**
 * A page out of `rows`, read with one row more than `limit` (newest first): that extra row only says
 * whether another page follows, and the cursor to it is the last shown row's id.
 */
export function pageOf<T extends { id: number }>(rows: readonly T[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export function decodeCursor(cursor: unknown): number | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  try {
    if (typeof cursor !== "string" || cursor.length > 100) throw new Error("bad cursor");
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const before = (parsed as { before?: unknown }).before;
    return parseId(before);
  } catch {
    throw new ValidationError(["cursor is invalid"]);
  }
}
