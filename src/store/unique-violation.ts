/**
 * Recognises a unique-constraint violation from either driver and names the
 * field behind it, so callers can say `value of "email" already exists`
 * rather than pass a driver message on.
 */

/** The column whose uniqueness a statement broke, or undefined if `err` is something else. */
export function uniqueViolationColumn(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message, constraint, detail } = err as { code?: unknown; message?: unknown; constraint?: unknown; detail?: unknown };
  // better-sqlite3: SqliteError, code SQLITE_CONSTRAINT_UNIQUE, "UNIQUE constraint failed: rec_customers.email".
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /constraint failed: (.+)$/.exec(String(message))?.[1];
    const first = columns?.split(', ')[0];
    return first?.slice(first.lastIndexOf('.') + 1) ?? 'id';
  }
  // pg: SQLSTATE 23505 unique_violation; `constraint` is our index name `uq_<collection>__<field>`
  // (or `<table>_pkey`); when an index is being built, `detail` says "Key (email)=(…) is duplicated."
  if (code === '23505') {
    if (typeof constraint === 'string') {
      if (constraint.endsWith('_pkey')) return 'id';
      const at = constraint.indexOf('__');
      if (constraint.startsWith('uq_') && at > 0) return constraint.slice(at + 2);
    }
    const key = /^Key \("?([^)"]+)"?\)=/.exec(String(detail ?? ''))?.[1];
    return key ?? 'id';
  }
  return undefined;
}
