/**
 * Statements on a collection's record table (`rec_<name>`). These tables are
 * made at run time, so Kysely's compile-time schema does not know them: the
 * queries go through an untyped view of the same connection, with every
 * identifier from `record-columns.ts` and every value a parameter.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { CollectionField } from './collections.js';
import type { Dialect } from './database.js';
import { columnOf, decodeRow, encodeValue, recordTable, type RecordValues } from './record-columns.js';
import { orderBySql, type SortKey } from './record-where.js';
import type { Database } from './schema.js';

/** A collection as far as its table goes (a `CollectionRecord` will do). */
export interface RecordTableRef {
  name: string;
  fields: readonly CollectionField[];
}

// The record tables are not in `Database`; `any` is confined to this file.
function untyped(db: Kysely<Database>): Kysely<any> {
  return db as unknown as Kysely<any>;
}

function encodeAll(table: RecordTableRef, values: RecordValues, dialect: Dialect): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of table.fields) {
    if (Object.hasOwn(values, field.name)) row[columnOf(field.name)] = encodeValue(field.type, values[field.name], dialect);
  }
  return row;
}

export async function selectRecords(
  db: Kysely<Database>,
  query: { table: RecordTableRef; where: RawBuilder<SqlBool>; orderBy: readonly SortKey[]; limit: number; offset?: number },
): Promise<RecordValues[]> {
  const rows = await untyped(db)
    .selectFrom(recordTable(query.table.name))
    .selectAll()
    .where(query.where)
    .orderBy(orderBySql(query.orderBy))
    .limit(query.limit)
    .offset(query.offset ?? 0)
    .execute();
  return rows.map((row) => decodeRow(query.table.fields, row as Record<string, unknown>));
}

export async function selectRecordById(db: Kysely<Database>, table: RecordTableRef, id: string): Promise<RecordValues | undefined> {
  const row = await untyped(db).selectFrom(recordTable(table.name)).selectAll().where('id', '=', id).executeTakeFirst();
  return row && decodeRow(table.fields, row as Record<string, unknown>);
}

export async function countRecords(db: Kysely<Database>, table: RecordTableRef, where: RawBuilder<SqlBool>): Promise<number> {
  const row = await untyped(db)
    .selectFrom(recordTable(table.name))
    .select(sql<number>`count(*)`.as('n'))
    .where(where)
    .executeTakeFirstOrThrow();
  return Number((row as { n: number | string }).n);
}

export async function insertRecord(
  db: Kysely<Database>,
  dialect: Dialect,
  insert: { table: RecordTableRef; id: string; values: RecordValues; now: string },
): Promise<RecordValues> {
  const row = await untyped(db)
    .insertInto(recordTable(insert.table.name))
    .values({ id: insert.id, ...encodeAll(insert.table, insert.values, dialect), created_at: insert.now, updated_at: insert.now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return decodeRow(insert.table.fields, row as Record<string, unknown>);
}

/** Sets the given fields (and `updated_at`); undefined when there is no such record. */
export async function updateRecordById(
  db: Kysely<Database>,
  dialect: Dialect,
  update: { table: RecordTableRef; id: string; values: RecordValues; now: string },
): Promise<RecordValues | undefined> {
  const row = await untyped(db)
    .updateTable(recordTable(update.table.name))
    .set({ ...encodeAll(update.table, update.values, dialect), updated_at: update.now })
    .where('id', '=', update.id)
    .returningAll()
    .executeTakeFirst();
  return row && decodeRow(update.table.fields, row as Record<string, unknown>);
}

export async function deleteRecords(db: Kysely<Database>, table: RecordTableRef, where: RawBuilder<SqlBool>): Promise<number> {
  const result = await untyped(db).deleteFrom(recordTable(table.name)).where(where).executeTakeFirst();
  return Number(result.numDeletedRows);
}
