/**
 * Splits multi-row statements: 500 rows of at most 16 columns stay well under
 * SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
 */
export function* chunks<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
