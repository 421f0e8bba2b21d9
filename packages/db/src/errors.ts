function isViolation(code: string, error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const pg = e as { code?: string; constraint_name?: string };
    if (pg.code === code) return constraint === undefined || pg.constraint_name === constraint;
  }
  return false;
}

/** Whether a database error (possibly wrapped by drizzle) is a unique violation, optionally of `constraint`. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return isViolation("23505", error, constraint);
}

/** Whether a database error (possibly wrapped by drizzle) is a foreign key violation, optionally of `constraint`. */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  return isViolation("23503", error, constraint);
}
