/**
 * Record filters and sort orders as SQL. The tree is built and type-checked
 * by `collections/filter.ts`; here it only becomes SQL: column names through
 * `columnOf` and `sql.id`, operators from fixed tables, values as parameters.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { FieldType } from './collections.js';
import type { Dialect } from './database.js';
import { columnOf, encodeValue } from './record-columns.js';

export type CompareOp = '$eq' | '$ne' | '$gt' | '$gte' | '$lt' | '$lte';

/** A checked filter. Values are canonical (see `collections/values.ts`), never null in `compare` and `in`. */
export type RecordFilter =
  | { readonly kind: 'and' | 'or'; readonly items: readonly RecordFilter[] }
  | { readonly kind: 'compare'; readonly field: string; readonly type: FieldType; readonly op: CompareOp; readonly value: unknown }
  | { readonly kind: 'in'; readonly field: string; readonly type: FieldType; readonly negate: boolean; readonly values: readonly unknown[] }
  | { readonly kind: 'null'; readonly field: string; readonly negate: boolean }
  | { readonly kind: 'contains'; readonly field: string; readonly value: string };

export interface SortKey {
  readonly field: string;
  readonly type: FieldType;
  readonly desc: boolean;
}

const COMPARE_SQL = { $eq: sql.raw('='), $ne: sql.raw('<>'), $gt: sql.raw('>'), $gte: sql.raw('>='), $lt: sql.raw('<'), $lte: sql.raw('<=') } as const;
const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

function col(field: string): RawBuilder<unknown> {
  return sql.id(columnOf(field));
}

export function whereSql(filter: RecordFilter, dialect: Dialect): RawBuilder<SqlBool> {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      if (filter.items.length === 0) return filter.kind === 'and' ? TRUE : FALSE;
      const parts = filter.items.map((item) => sql`(${whereSql(item, dialect)})`);
      return sql<SqlBool>`${sql.join(parts, filter.kind === 'and' ? sql` and ` : sql` or `)}`;
    }
    case 'compare': {
      const value = encodeValue(filter.type, filter.value, dialect);
      const compared = sql<SqlBool>`${col(filter.field)} ${COMPARE_SQL[filter.op]} ${value}`;
      // `$ne` matches records without a value too, as in MongoDB: SQL's `<>` alone would skip NULLs.
      return filter.op === '$ne' ? sql<SqlBool>`(${col(filter.field)} is null or ${compared})` : compared;
    }
    case 'in': {
      if (filter.values.length === 0) return filter.negate ? TRUE : FALSE;
      const list = sql.join(filter.values.map((v) => encodeValue(filter.type, v, dialect)));
      return filter.negate
        ? sql<SqlBool>`(${col(filter.field)} is null or ${col(filter.field)} not in (${list}))`
        : sql<SqlBool>`${col(filter.field)} in (${list})`;
    }
    case 'null':
      return filter.negate ? sql<SqlBool>`${col(filter.field)} is not null` : sql<SqlBool>`${col(filter.field)} is null`;
    case 'contains':
      // instr / strpos: case-sensitive on both stores, and no LIKE wildcards to escape.
      return dialect === 'postgres'
        ? sql<SqlBool>`strpos(${col(filter.field)}, ${filter.value}) > 0`
        : sql<SqlBool>`instr(${col(filter.field)}, ${filter.value}) > 0`;
  }
}

export function andSql(...parts: RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.join(parts.map((p) => sql`(${p})`), sql` and `)}`;
}

/** NULLs sort as the smallest value on both stores (their defaults differ). */
export function orderBySql(keys: readonly SortKey[]): RawBuilder<unknown> {
  return sql.join(keys.map((k) => sql`${col(k.field)} ${sql.raw(k.desc ? 'desc nulls last' : 'asc nulls first')}`));
}

/**
 * Rows strictly after the row whose sort values are `values`, in the order of
 * `keys` (keyset pagination): for keys k1..kn,
 * `k1 after v1 or (k1 = v1 and k2 after v2) or …`, NULL-aware.
 */
export function afterSql(keys: readonly SortKey[], values: readonly unknown[], dialect: Dialect): RawBuilder<SqlBool> {
  const branches: RawBuilder<SqlBool>[] = [];
  keys.forEach((key, i) => {
    const equalBefore = keys.slice(0, i).map((k, j) => equalSql(k, values[j], dialect));
    const after = afterOne(key, values[i], dialect);
    if (after !== undefined) branches.push(sql<SqlBool>`${sql.join([...equalBefore, after], sql` and `)}`);
  });
  return branches.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(branches.map((b) => sql`(${b})`), sql` or `)})`;
}

function equalSql(key: SortKey, value: unknown, dialect: Dialect): RawBuilder<SqlBool> {
  if (value === null) return sql<SqlBool>`${col(key.field)} is null`;
  return sql<SqlBool>`${col(key.field)} = ${encodeValue(key.type, value, dialect)}`;
}

function afterOne(key: SortKey, value: unknown, dialect: Dialect): RawBuilder<SqlBool> | undefined {
  const column = col(key.field);
  if (value === null) return key.desc ? undefined : sql<SqlBool>`${column} is not null`;
  const encoded = encodeValue(key.type, value, dialect);
  return key.desc ? sql<SqlBool>`(${column} < ${encoded} or ${column} is null)` : sql<SqlBool>`${column} > ${encoded}`;
}
