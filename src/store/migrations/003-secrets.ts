import type { Kysely } from 'kysely';

// Append-only: a released migration is never edited; a change is a new file.
// `ciphertext` is text (`v1:<key id>:<iv>:<tag>:<data>`, see secrets/cipher.ts)
// so both dialects store it alike; the plaintext never reaches this table.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
