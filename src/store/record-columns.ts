/**
 * How a collection maps onto its table: names, column types and the value
 * codec. Identifiers MUST come from validated collection metadata and still
 * pass the patterns below before they reach SQL (always quoted, via `sql.id`);
 * values always travel as parameters.
 */
import { sql, type Expression } from 'kysely';
import { HookflowError } from '../shared/errors.js';
import type { CollectionField, FieldType } from './collections.js';
import type { Dialect } from './database.js';

/** The same shapes `collections/names.ts` enforces, repeated as a last guard. */
const SAFE_COLLECTION = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SAFE_FIELD = /^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$/;

function guard(pattern: RegExp, name: string): string {
  if (!pattern.test(name) || name.length > 63) throw new HookflowError('internal', `refusing unsafe SQL identifier ${JSON.stringify(name)}`);
  return name;
}

/** `customers` → `rec_customers`. */
export function recordTable(collection: string): string {
  return `rec_${guard(SAFE_COLLECTION, collection)}`;
}

/**
 * Index names are per schema, so they carry the collection. Collection names
 * cannot hold `__`, so `uq_a__b_c` is unambiguous; the name limits (28 + 30)
 * keep it within PostgreSQL's 63 bytes, past which it would silently truncate.
 */
export function uniqueIndexName(collection: string, field: string): string {
  return `uq_${guard(SAFE_COLLECTION, collection)}__${guard(SAFE_FIELD, field)}`;
}

/** The built-in fields every record has, by API name. */
export const SYSTEM_FIELDS = { id: 'id', createdAt: 'created_at', updatedAt: 'updated_at' } as const;
export type SystemField = keyof typeof SYSTEM_FIELDS;

export function isSystemField(name: string): name is SystemField {
  return Object.hasOwn(SYSTEM_FIELDS, name);
}

/** The type a built-in field has for filters, sorting and cursors. */
export function systemFieldType(name: SystemField): FieldType {
  return name === 'id' ? 'string' : 'datetime';
}

/** API field name → column name (validated). */
export function columnOf(field: string): string {
  return isSystemField(field) ? SYSTEM_FIELDS[field] : guard(SAFE_FIELD, field);
}

/**
 * Text columns use the "C" collation on PostgreSQL: byte order, as SQLite
 * compares, so sorting, ranges and cursors agree on both stores.
 */
export function columnType(type: FieldType, dialect: Dialect): Expression<unknown> {
  switch (type) {
    case 'integer':
      return dialect === 'postgres' ? sql`bigint` : sql`integer`;
    case 'number':
      return dialect === 'postgres' ? sql`double precision` : sql`real`;
    case 'boolean':
      return dialect === 'postgres' ? sql`boolean` : sql`integer`;
    case 'string':
    case 'text':
    case 'datetime':
    case 'json':
      return textType(dialect);
  }
}

export function textType(dialect: Dialect): Expression<unknown> {
  return dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
}

/** A checked value (see `collections/values.ts`) → the parameter its column takes. */
export function encodeValue(type: FieldType, value: unknown, dialect: Dialect): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return dialect === 'postgres' ? value : value ? 1 : 0;
  // Text, so the stored JSON is byte for byte what was sent (jsonb would reorder keys).
  if (type === 'json') return JSON.stringify(value);
  return value;
}

function decodeValue(type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      // pg returns bigint as text; only safe integers are ever written.
      return typeof value === 'string' ? Number(value) : value;
    case 'number':
      return typeof value === 'string' ? Number(value) : value;
    case 'boolean':
      return value === true || value === 1;
    case 'json':
      return JSON.parse(value as string) as unknown;
    default:
      return value;
  }
}

export type RecordValues = Record<string, unknown>;

/** A row of `rec_<name>` → `{ id, ...fields, createdAt, updatedAt }`. */
export function decodeRow(fields: readonly CollectionField[], row: Record<string, unknown>): RecordValues {
  const record: RecordValues = { id: row.id };
  for (const field of fields) record[field.name] = decodeValue(field.type, row[field.name]);
  record.createdAt = row.created_at;
  record.updatedAt = row.updated_at;
  return record;
}
