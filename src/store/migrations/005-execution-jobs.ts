import type { Kysely } from 'kysely';

// Append-only: a released migration is never edited; a change is a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The jobs of a run that finishes before its first commit, as one JSON array (jobs.ts).
  await db.schema.alterTable('executions').addColumn('jobs', 'text').execute();
}
