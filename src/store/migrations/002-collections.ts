import type { Kysely } from 'kysely';

// Append-only: a released migration is never edited; a change is a new file.
// One row per user collection; each collection's records live in their own
// table (`rec_<name>`), created and altered by `record-tables.ts`, not here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('collections')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
