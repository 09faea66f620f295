import { sql, type Kysely } from 'kysely';
import type { Store } from './database.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-collections.js';
import * as m003 from './migrations/003-secrets.js';
import * as m004 from './migrations/004-dedup.js';
import * as m005 from './migrations/005-execution-jobs.js';

/** Numbered, append-only; imported statically so the compiled build carries them. Applied in this order. */
const migrations: ReadonlyArray<readonly [string, { up(db: Kysely<unknown>): Promise<void> }]> = [
  ['001-initial', m001],
  ['002-collections', m002],
  ['003-secrets', m003],
  ['004-dedup', m004],
  ['005-execution-jobs', m005],
];

/**
 * Applies the migrations this build has and the database has not, in one
 * transaction (DDL is transactional on both stores), under a lock so
 * several processes starting together apply each once.
 *
 * Not Kysely's Migrator: before anything else it introspects every table of
 * every schema in the database, which on a shared PostgreSQL fails whenever
 * any other schema changes a table meanwhile (seen in CI with parallel test
 * schemas). A table of applied names needs no introspection.
 */
export async function migrateToLatest(store: Store): Promise<{ applied: string[] }> {
  return store.db.transaction().execute(async (trx) => {
    // Per schema: two Hookflows in different schemas of one database do not wait on each other.
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(current_schema()))`.execute(trx);
    await sql`create table if not exists hookflow_migrations (name text primary key, applied_at text not null)`.execute(trx);
    const done = new Set((await sql<{ name: string }>`select name from hookflow_migrations`.execute(trx)).rows.map((row) => row.name));
    const applied: string[] = [];
    for (const [name, migration] of migrations) {
      if (done.has(name)) continue;
      await migration.up(trx as unknown as Kysely<unknown>);
      await sql`insert into hookflow_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(trx);
      applied.push(name);
    }
    return { applied };
  });
}
