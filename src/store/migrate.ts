import { Migrator, sql, type Migration, type MigrationResultSet } from 'kysely';
import type { Store } from './database.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-collections.js';
import * as m003 from './migrations/003-secrets.js';
import * as m004 from './migrations/004-dedup.js';

/** Numbered, append-only; imported statically so the compiled build carries them. */
const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-collections': m002,
  '003-secrets': m003,
  '004-dedup': m004,
};

export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  // Most starts find the schema up to date. Saying so from our own table
  // skips Kysely's introspection, which lists every table of every schema in
  // the database (slow on a shared database, and it fails if another schema
  // is dropped while it reads the catalog).
  if (await upToDate(store)) return { results: [] };
  // Kysely looks for its bookkeeping tables by name in every schema; on
  // PostgreSQL name the one in use, or a Hookflow in another schema of the
  // same database would make this one skip creating its own.
  const schema =
    store.dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

async function upToDate(store: Store): Promise<boolean> {
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
    const names = new Set(applied.rows.map((row) => row.name));
    return Object.keys(migrations).every((name) => names.has(name));
  } catch {
    return false; // no bookkeeping table yet: a new database
  }
}
