import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { fromJson, toJson } from './json.js';
import { chunks } from './chunks.js';

/** One node run, as stored. The engine's JobRecord has the same shape. */
export interface StoredJob {
  id: string;
  executionId: string;
  path: string;
  nodeKey: string;
  type: string;
  status: 'succeeded' | 'failed';
  branch: string | null;
  input: unknown;
  output: unknown;
  error: unknown;
  attempts: number;
  startedAt: string;
  finishedAt: string;
}

/**
 * Writes finished jobs. A resumed run may write a path again (a job that
 * failed with `onError: continue` runs anew): the newer record wins.
 */
export async function saveJobs(db: Kysely<Database>, jobs: readonly (StoredJob & { seq: number })[]): Promise<void> {
  for (const chunk of chunks(jobs, 500)) await saveJobChunk(db, chunk);
}

async function saveJobChunk(db: Kysely<Database>, jobs: readonly (StoredJob & { seq: number })[]): Promise<void> {
  await db
    .insertInto('jobs')
    .values(
      jobs.map((job) => ({
        id: job.id,
        execution_id: job.executionId,
        seq: job.seq,
        path: job.path,
        node_key: job.nodeKey,
        type: job.type,
        status: job.status,
        branch: job.branch,
        input: toJson(job.input),
        output: toJson(job.output),
        error: toJson(job.error),
        attempts: job.attempts,
        started_at: job.startedAt,
        finished_at: job.finishedAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['execution_id', 'path']).doUpdateSet((eb) => ({
        id: eb.ref('excluded.id'),
        seq: eb.ref('excluded.seq'),
        status: eb.ref('excluded.status'),
        branch: eb.ref('excluded.branch'),
        input: eb.ref('excluded.input'),
        output: eb.ref('excluded.output'),
        error: eb.ref('excluded.error'),
        attempts: eb.ref('excluded.attempts'),
        started_at: eb.ref('excluded.started_at'),
        finished_at: eb.ref('excluded.finished_at'),
      })),
    )
    .execute();
}

export async function listJobs(db: Kysely<Database>, executionId: string): Promise<StoredJob[]> {
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('execution_id', '=', executionId)
    .orderBy('seq')
    .orderBy('finished_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    executionId: row.execution_id,
    path: row.path,
    nodeKey: row.node_key,
    type: row.type,
    status: row.status as StoredJob['status'],
    branch: row.branch,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: fromJson(row.error),
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  }));
}
