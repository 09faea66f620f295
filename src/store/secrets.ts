import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What may be shown about a secret: never its value. */
export interface SecretSummary {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredSecret extends SecretSummary {
  /** The cipher's output, not the value. */
  ciphertext: string;
}

/** Inserts, or replaces the ciphertext of an existing name (keeping its `created_at`). */
export async function upsertSecret(db: Kysely<Database>, secret: { name: string; ciphertext: string; now: string }): Promise<void> {
  await db
    .insertInto('secrets')
    .values({ name: secret.name, ciphertext: secret.ciphertext, created_at: secret.now, updated_at: secret.now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ ciphertext: secret.ciphertext, updated_at: secret.now }))
    .execute();
}

export async function getSecret(db: Kysely<Database>, name: string): Promise<StoredSecret | undefined> {
  const row = await db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
  return row && { name: row.name, ciphertext: row.ciphertext, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Every secret with its ciphertext, to decrypt them all at once. */
export async function listSecrets(db: Kysely<Database>): Promise<StoredSecret[]> {
  const rows = await db.selectFrom('secrets').selectAll().orderBy('name', 'asc').execute();
  return rows.map((row) => ({ name: row.name, ciphertext: row.ciphertext, createdAt: row.created_at, updatedAt: row.updated_at }));
}

/** Names and timestamps only: the ciphertext is not even read. */
export async function listSecretNames(db: Kysely<Database>): Promise<SecretSummary[]> {
  const rows = await db.selectFrom('secrets').select(['name', 'created_at', 'updated_at']).orderBy('name', 'asc').execute();
  return rows.map((row) => ({ name: row.name, createdAt: row.created_at, updatedAt: row.updated_at }));
}

export async function deleteSecret(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await db.deleteFrom('secrets').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
