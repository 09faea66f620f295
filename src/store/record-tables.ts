/**
 * DDL for the record tables: one real table per collection, one typed column
 * per field, a unique index per `unique` field, NOT NULL per `required` one.
 * Callers run these inside a transaction (DDL is transactional on both
 * stores), together with the change to the `collections` row.
 */
import { sql, type Kysely } from 'kysely';
import type { CollectionField } from './collections.js';
import type { Dialect } from './database.js';
import { columnOf, columnType, recordTable, textType, uniqueIndexName } from './record-columns.js';
import type { Database } from './schema.js';

/** What changes between two versions of a collection's fields (see `collections/schema-change.ts`). */
export interface TableChange {
  readonly add: readonly CollectionField[];
  readonly drop: readonly CollectionField[];
  readonly setRequired: readonly string[];
  readonly dropRequired: readonly string[];
  readonly addUnique: readonly string[];
  readonly dropUnique: readonly string[];
}

function untyped(db: Kysely<Database>): Kysely<any> {
  return db as unknown as Kysely<any>;
}

export async function createRecordTable(db: Kysely<Database>, dialect: Dialect, collection: { name: string; fields: readonly CollectionField[] }): Promise<void> {
  await createTableNamed(db, dialect, recordTable(collection.name), collection.fields);
  await createUniqueIndexes(db, collection.name, collection.fields);
}

async function createTableNamed(db: Kysely<Database>, dialect: Dialect, table: string, fields: readonly CollectionField[]): Promise<void> {
  let builder = untyped(db).schema.createTable(table).addColumn('id', textType(dialect), (c) => c.primaryKey());
  for (const field of fields) {
    builder = builder.addColumn(columnOf(field.name), columnType(field.type, dialect), (c) => (field.required ? c.notNull() : c));
  }
  builder = builder
    .addColumn('created_at', textType(dialect), (c) => c.notNull())
    .addColumn('updated_at', textType(dialect), (c) => c.notNull());
  // STRICT (SQLite ≥ 3.37): a column refuses values of another type instead of storing them anyway.
  if (dialect === 'sqlite') builder = builder.modifyEnd(sql`strict`);
  await builder.execute();
}

async function createUniqueIndexes(db: Kysely<Database>, collection: string, fields: readonly CollectionField[]): Promise<void> {
  for (const field of fields.filter((f) => f.unique)) await createUniqueIndex(db, collection, field.name);
}

async function createUniqueIndex(db: Kysely<Database>, collection: string, field: string): Promise<void> {
  await untyped(db).schema.createIndex(uniqueIndexName(collection, field)).on(recordTable(collection)).column(columnOf(field)).unique().execute();
}

export async function dropRecordTable(db: Kysely<Database>, collection: string): Promise<void> {
  // Dropping the table drops its indexes with it.
  await untyped(db).schema.dropTable(recordTable(collection)).ifExists().execute();
}

/** Brings the table from `from` to `to`; `change` MUST be their difference. */
export async function alterRecordTable(
  db: Kysely<Database>,
  dialect: Dialect,
  alter: { collection: string; from: readonly CollectionField[]; to: readonly CollectionField[]; change: TableChange },
): Promise<void> {
  if (dialect === 'sqlite') await rebuildSqliteTable(db, alter.collection, alter.from, alter.to);
  else await alterPostgresTable(db, alter.collection, alter.change);
}

/**
 * SQLite cannot change a column's NOT NULL, nor add a NOT NULL column without
 * a default, nor drop an indexed one: it rebuilds the table, as its manual
 * advises (sqlite.org/lang_altertable.html, "other kinds of table schema
 * changes"): create the new shape, copy, drop, rename, re-index.
 */
async function rebuildSqliteTable(db: Kysely<Database>, collection: string, from: readonly CollectionField[], to: readonly CollectionField[]): Promise<void> {
  const table = recordTable(collection);
  // Collection names cannot contain `__`, so no collection's table is called this.
  const scratch = `${table}__new`;
  await createTableNamed(db, 'sqlite', scratch, to);
  const kept = to.filter((f) => from.some((old) => old.name === f.name)).map((f) => sql.id(columnOf(f.name)));
  const columns = sql.join([sql.id('id'), sql.id('created_at'), sql.id('updated_at'), ...kept]);
  await sql`insert into ${sql.id(scratch)} (${columns}) select ${columns} from ${sql.id(table)}`.execute(db);
  await sql`drop table ${sql.id(table)}`.execute(db);
  await sql`alter table ${sql.id(scratch)} rename to ${sql.id(table)}`.execute(db);
  await createUniqueIndexes(db, collection, to);
}

async function alterPostgresTable(db: Kysely<Database>, collection: string, change: TableChange): Promise<void> {
  const table = untyped(db).schema.alterTable(recordTable(collection));
  // A dropped column takes its indexes with it.
  for (const field of change.drop) await table.dropColumn(columnOf(field.name)).execute();
  for (const name of change.dropUnique) {
    await untyped(db).schema.dropIndex(uniqueIndexName(collection, name)).ifExists().execute();
  }
  for (const field of change.add) {
    await table.addColumn(columnOf(field.name), columnType(field.type, 'postgres'), (c) => (field.required ? c.notNull() : c)).execute();
  }
  for (const name of change.setRequired) await table.alterColumn(columnOf(name), (c) => c.setNotNull()).execute();
  for (const name of change.dropRequired) await table.alterColumn(columnOf(name), (c) => c.dropNotNull()).execute();
  for (const name of change.addUnique) await createUniqueIndex(db, collection, name);
  for (const field of change.add.filter((f) => f.unique)) await createUniqueIndex(db, collection, field.name);
}
