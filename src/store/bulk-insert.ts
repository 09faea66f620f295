import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { chunks } from './chunks.js';

export interface BulkInsertSpec<Row> {
  table: keyof Database & string;
  columns: readonly string[];
  /** One value per column, in order. */
  values(row: Row): unknown[];
  /** Upsert: on a clash on `target`, overwrite `update` with the new row's values. */
  conflict?: { target: readonly string[]; update: readonly string[] };
}

export type BulkInsert<Row> = (db: Kysely<Database>, rows: readonly Row[]) => Promise<void>;

/**
 * A multi-row INSERT (or upsert) whose SQL text is built once per row count
 * and dialect. The group commit writes every webhook call through these:
 * Kysely's builder cost ~3 µs per row and value (profiled at 10–12% of a
 * call's CPU), and this path costs a fraction of that. Parameterised SQL
 * only; names come from the spec, never from data.
 */
export function bulkInsert<Row>(spec: BulkInsertSpec<Row>): BulkInsert<Row> {
  const texts = new Map<string, string>();
  const conflict = spec.conflict
    ? ` on conflict (${spec.conflict.target.join(', ')}) do update set ${spec.conflict.update.map((c) => `${c} = excluded.${c}`).join(', ')}`
    : '';

  function text(style: PlaceholderStyle, rowCount: number): string {
    const cacheKey = `${style}:${rowCount}`;
    let statement = texts.get(cacheKey);
    if (!statement) {
      const width = spec.columns.length;
      const tuples: string[] = [];
      for (let row = 0; row < rowCount; row++) {
        const marks = spec.columns.map((_, column) => (style === 'dollar' ? `$${row * width + column + 1}` : '?'));
        tuples.push(`(${marks.join(', ')})`);
      }
      statement = `insert into ${spec.table} (${spec.columns.join(', ')}) values ${tuples.join(', ')}${conflict}`;
      texts.set(cacheKey, statement);
    }
    return statement;
  }

  return async (db, rows) => {
    const style = placeholderStyle(db);
    for (const chunk of chunks(rows, 500)) {
      const parameters: unknown[] = [];
      for (const row of chunk) parameters.push(...spec.values(row));
      await db.executeQuery(CompiledQuery.raw(text(style, chunk.length), parameters));
    }
  };
}

type PlaceholderStyle = 'question' | 'dollar';
const styles = new WeakMap<object, PlaceholderStyle>();

/** `?` (SQLite) or `$1` (PostgreSQL), read off the dialect's own compiler once. */
function placeholderStyle(db: Kysely<Database>): PlaceholderStyle {
  const adapter = db.getExecutor().adapter;
  let style = styles.get(adapter);
  if (!style) {
    const compiled = db.selectNoFrom(sql<number>`${1}`.as('probe')).compile();
    style = compiled.sql.includes('$1') ? 'dollar' : 'question';
    styles.set(adapter, style);
  }
  return style;
}
