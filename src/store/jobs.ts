import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { fromJson, toJson } from './json.js';
import { bulkInsert, type BulkInsert } from './bulk-insert.js';

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
  /** Absent when the node logged nothing. */
  logs?: string[];
}

/**
 * A job stored in its execution's row. A run that finishes before its first
 * commit (a sync call answered at its end, the common case) has all its jobs
 * written there as one JSON array: one row per call instead of one per node
 * run, which took ~13% off a sync call's CPU time (docs/benchmarks.md). Jobs of runs
 * that commit while they go on (durable, resumed) are rows of `jobs`.
 */
export type ExecutionJob = Omit<StoredJob, 'executionId'>;

/**
 * Writes finished jobs. A resumed run may write a path again (a job that
 * failed with `onError: continue` runs anew): the newer record wins.
 */
export const saveJobs: BulkInsert<StoredJob & { seq: number }> = bulkInsert({
  table: 'jobs',
  columns: ['id', 'execution_id', 'seq', 'path', 'node_key', 'type', 'status', 'branch', 'input', 'output', 'error', 'attempts', 'started_at', 'finished_at', 'logs'],
  values: (job, out) => {
    out.push(
      job.id, job.executionId, job.seq, job.path, job.nodeKey, job.type, job.status, job.branch,
      toJson(job.input), toJson(job.output), toJson(job.error), job.attempts, job.startedAt, job.finishedAt, toJson(job.logs),
    );
  },
  conflict: {
    target: ['execution_id', 'path'],
    update: ['id', 'seq', 'status', 'branch', 'input', 'output', 'error', 'attempts', 'started_at', 'finished_at', 'logs'],
  },
});

/** An execution's jobs in run order, wherever they are stored. */
export async function listJobs(db: Kysely<Database>, executionId: string): Promise<StoredJob[]> {
  const execution = await db.selectFrom('executions').select('jobs').where('id', '=', executionId).executeTakeFirst();
  const stored = fromJson<ExecutionJob[]>(execution?.jobs ?? null) ?? [];
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('execution_id', '=', executionId)
    .orderBy('seq')
    .orderBy('finished_at')
    .execute();
  const inRows = rows.map((row): StoredJob => ({
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
    ...(row.logs === null ? {} : { logs: fromJson<string[]>(row.logs) as string[] }),
  }));
  return stored.length === 0 ? inRows : [...stored.map((job) => ({ ...job, executionId })), ...inRows];
}
