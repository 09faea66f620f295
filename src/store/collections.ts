import type { Kysely, Selectable } from 'kysely';
import type { CollectionTable, Database } from './schema.js';

export const FIELD_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'datetime', 'json'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One typed column of a collection. Names are checked by `collections/names.ts` before they get here. */
export interface CollectionField {
  name: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
}

export interface CollectionRecord {
  name: string;
  fields: CollectionField[];
  createdAt: string;
  updatedAt: string;
}

function toRecord(row: Selectable<CollectionTable>): CollectionRecord {
  return { name: row.name, fields: JSON.parse(row.fields) as CollectionField[], createdAt: row.created_at, updatedAt: row.updated_at };
}

export async function insertCollection(
  db: Kysely<Database>,
  collection: { name: string; fields: CollectionField[]; now: string },
): Promise<void> {
  await db
    .insertInto('collections')
    .values({ name: collection.name, fields: JSON.stringify(collection.fields), created_at: collection.now, updated_at: collection.now })
    .execute();
}

export async function getCollection(db: Kysely<Database>, name: string): Promise<CollectionRecord | undefined> {
  const row = await db.selectFrom('collections').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toRecord(row);
}

export async function listCollections(db: Kysely<Database>): Promise<CollectionRecord[]> {
  const rows = await db.selectFrom('collections').selectAll().orderBy('name', 'asc').execute();
  return rows.map(toRecord);
}

export async function updateCollectionFields(
  db: Kysely<Database>,
  change: { name: string; fields: CollectionField[]; now: string },
): Promise<void> {
  await db
    .updateTable('collections')
    .set({ fields: JSON.stringify(change.fields), updated_at: change.now })
    .where('name', '=', change.name)
    .execute();
}

export async function deleteCollectionRow(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await db.deleteFrom('collections').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
