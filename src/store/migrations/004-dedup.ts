import type { Kysely } from 'kysely';

// Append-only: a released migration is never edited; a change is a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The primary key is what makes two concurrent deliveries of one id run once.
  await db.schema
    .createTable('dedup_keys')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('execution_id', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dedup_keys_pk', ['workflow_id', 'key'])
    .execute();
  await db.schema.createIndex('dedup_keys_expires_idx').on('dedup_keys').column('expires_at').execute();
}
