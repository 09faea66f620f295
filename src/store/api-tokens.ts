import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ApiTokenRecord {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export async function insertApiToken(
  db: Kysely<Database>,
  token: { id: string; name: string; hash: string; now: string },
): Promise<void> {
  await db.insertInto('api_tokens').values({ id: token.id, name: token.name, hash: token.hash, created_at: token.now }).execute();
}

export async function findActiveTokenByHash(db: Kysely<Database>, hash: string): Promise<ApiTokenRecord | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'revoked_at'])
    .where('hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && { id: row.id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at };
}

export async function countActiveTokens(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listApiTokens(db: Kysely<Database>): Promise<ApiTokenRecord[]> {
  const rows = await db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at }));
}

/** Revokes a token; true when it existed and was active. */
export async function revokeApiToken(db: Kysely<Database>, revoke: { id: string; now: string }): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: revoke.now })
    .where('id', '=', revoke.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
