import { sql, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database, ExecutionTable } from './schema.js';
import { fromJson, toJson } from './json.js';
import type { Dialect } from './database.js';
import { bulkInsert, type BulkInsert } from './bulk-insert.js';
import { pageOf, type Page, type PageRequest } from './page.js';
import type { ExecutionJob } from './jobs.js';

export type ExecutionStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type ExecutionMode = 'sync' | 'async';

export interface ExecutionRecord {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: ExecutionStatus;
  mode: ExecutionMode;
  trigger: unknown;
  response: unknown;
  error: unknown;
  attempt: number;
  leaseOwner: string | null;
  leaseUntil: string | null;
  requestId: string | null;
  retryOf: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type NewExecution = Pick<ExecutionRecord, 'id' | 'workflowId' | 'workflowVersion' | 'status' | 'mode' | 'trigger' | 'createdAt'> &
  Partial<Pick<ExecutionRecord, 'response' | 'error' | 'leaseOwner' | 'leaseUntil' | 'requestId' | 'retryOf' | 'startedAt' | 'finishedAt'>>;

/** The row as an execution record reads it: its jobs are listJobs' to read. */
type RecordRow = Omit<Selectable<ExecutionTable>, 'jobs'>;

export function toExecutionRecord(row: RecordRow): ExecutionRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status as ExecutionStatus,
    mode: row.mode as ExecutionMode,
    trigger: fromJson(row.trigger),
    response: fromJson(row.response),
    error: fromJson(row.error),
    attempt: row.attempt,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    requestId: row.request_id,
    retryOf: row.retry_of,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export async function insertExecution(db: Kysely<Database>, execution: NewExecution): Promise<void> {
  await db.insertInto('executions').values(executionValues(execution)).execute();
}

/** Records how a run ended and releases its lease. */
export async function finishExecution(
  db: Kysely<Database>,
  result: { id: string; status: 'succeeded' | 'failed'; response: unknown; error: unknown; finishedAt: string },
): Promise<void> {
  await db
    .updateTable('executions')
    .set({
      status: result.status,
      response: toJson(result.response),
      error: toJson(result.error),
      finished_at: result.finishedAt,
      lease_owner: null,
      lease_until: null,
    })
    .where('id', '=', result.id)
    .execute();
}

/** Stores the sync answer as soon as it is known, while the run may go on. */
export async function setExecutionResponse(db: Kysely<Database>, id: string, response: unknown): Promise<void> {
  await db.updateTable('executions').set({ response: toJson(response) }).where('id', '=', id).execute();
}

/**
 * Claims up to `limit` runs: queued ones first, then running ones whose lease
 * ran out (their process died). On PostgreSQL, SKIP LOCKED lets many
 * processes claim at once without taking the same run twice.
 */
export async function claimExecutions(
  db: Kysely<Database>,
  dialect: Dialect,
  claim: { workerId: string; limit: number; now: string; leaseUntil: string },
): Promise<ExecutionRecord[]> {
  const queued = await claimWhere(db, dialect, claim, claim.limit, (q) => q.where('status', '=', 'queued'));
  const left = claim.limit - queued.length;
  const abandoned =
    left > 0 ? await claimWhere(db, dialect, claim, left, (q) => q.where('status', '=', 'running').where('lease_until', '<', claim.now)) : [];
  return [...queued, ...abandoned].map(toExecutionRecord).sort((a, b) => (a.id < b.id ? -1 : 1));
}

type UnfinishedQuery = SelectQueryBuilder<Database, 'executions', { id: string }>;

async function claimWhere(
  db: Kysely<Database>,
  dialect: Dialect,
  claim: { workerId: string; now: string; leaseUntil: string },
  limit: number,
  narrow: (query: UnfinishedQuery) => UnfinishedQuery,
) {
  // `finished_at is null` is the partial index's predicate; with `status =` on
  // its first column the index yields rows in id order, so no sort of the backlog.
  const candidates = narrow(unfinished(db)).orderBy('id').limit(limit);
  return db
    .updateTable('executions')
    .set((eb) => ({
      status: 'running',
      lease_owner: claim.workerId,
      lease_until: claim.leaseUntil,
      started_at: eb.fn.coalesce('started_at', eb.val(claim.now)),
      attempt: sql<number>`case when status = 'running' then attempt + 1 else attempt end`,
    }))
    .where('id', 'in', dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates)
    .returningAll()
    .execute();
}

function unfinished(db: Kysely<Database>): UnfinishedQuery {
  return db.selectFrom('executions').select('id').where('finished_at', 'is', null);
}

/** Marks a run as started by this process (sync runs that outlive their answer, and resumed runs). */
export async function leaseExecution(
  db: Kysely<Database>,
  lease: { id: string; workerId: string; leaseUntil: string },
): Promise<void> {
  await db
    .updateTable('executions')
    .set({ status: 'running', lease_owner: lease.workerId, lease_until: lease.leaseUntil })
    .where('id', '=', lease.id)
    .execute();
}

export async function renewLeases(db: Kysely<Database>, lease: { workerId: string; leaseUntil: string }): Promise<void> {
  await db
    .updateTable('executions')
    .set({ lease_until: lease.leaseUntil })
    .where('finished_at', 'is', null) // the partial index's predicate
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.workerId)
    .execute();
}

/** Hands a run back to the queue (shutdown): another worker resumes it from its finished jobs. */
export async function releaseExecution(db: Kysely<Database>, release: { id: string; workerId: string }): Promise<void> {
  await db
    .updateTable('executions')
    .set({ status: 'queued', lease_owner: null, lease_until: null })
    .where('id', '=', release.id)
    .where('lease_owner', '=', release.workerId)
    .execute();
}

export async function getExecution(db: Kysely<Database>, id: string): Promise<ExecutionRecord | undefined> {
  const row = await db.selectFrom('executions').select(RECORD_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toExecutionRecord(row);
}

export interface ExecutionFilter extends PageRequest {
  workflowId?: string;
  status?: ExecutionStatus;
}

export async function listExecutions(
  db: Kysely<Database>,
  filter: ExecutionFilter,
): Promise<Page<ExecutionRecord>> {
  let query = db.selectFrom('executions').select(RECORD_COLUMNS);
  if (filter.workflowId) query = query.where('workflow_id', '=', filter.workflowId);
  if (filter.status) {
    // Unfinished runs are found through the partial index, whose predicate this term repeats.
    if (filter.status === 'queued' || filter.status === 'running') query = query.where('finished_at', 'is', null);
    query = query.where('status', '=', filter.status);
  }
  if (filter.cursor) query = query.where('id', '<', filter.cursor);
  return pageOf(await query.orderBy('id', 'desc').limit(filter.limit + 1).execute(), filter.limit, toExecutionRecord);
}

/**
 * Writes runs' current state whether or not their rows exist yet: sync runs
 * are first written when they answer, and a write retried after a failed
 * batch must land the same way twice. One statement for many runs: the
 * group commit hands over a whole batch.
 */
export type SavedExecution = NewExecution & {
  attempt?: number;
  /** Every job of a run written whole in one commit, stored with it (jobs.ts). */
  jobs?: readonly ExecutionJob[];
};

const EXECUTION_COLUMNS = [
  'id', 'workflow_id', 'workflow_version', 'status', 'mode', 'trigger', 'response', 'error', 'attempt',
  'lease_owner', 'lease_until', 'request_id', 'retry_of', 'created_at', 'started_at', 'finished_at', 'jobs',
] as const;

/** Every column but `jobs`, which can be long and only listJobs reads. */
const RECORD_COLUMNS = EXECUTION_COLUMNS.filter((column): column is Exclude<(typeof EXECUTION_COLUMNS)[number], 'jobs'> => column !== 'jobs');

/** The row's values in the order of EXECUTION_COLUMNS. */
function pushExecutionValues(execution: SavedExecution, out: unknown[]): void {
  out.push(
    execution.id, execution.workflowId, execution.workflowVersion, execution.status, execution.mode,
    JSON.stringify(execution.trigger), toJson(execution.response), toJson(execution.error), execution.attempt ?? 1,
    execution.leaseOwner ?? null, execution.leaseUntil ?? null, execution.requestId ?? null, execution.retryOf ?? null,
    execution.createdAt, execution.startedAt ?? null, execution.finishedAt ?? null, toJson(execution.jobs),
  );
}

function executionValues(execution: SavedExecution) {
  const values: unknown[] = [];
  pushExecutionValues(execution, values);
  return Object.fromEntries(EXECUTION_COLUMNS.map((column, index) => [column, values[index]])) as Insertable<ExecutionTable>;
}

export const saveExecutions: BulkInsert<SavedExecution> = bulkInsert({
  table: 'executions',
  columns: EXECUTION_COLUMNS,
  values: pushExecutionValues,
  // Jobs stored with the run are never taken back: a later write without them leaves them.
  conflict: { target: ['id'], update: ['status', 'response', 'error', 'lease_owner', 'lease_until', 'started_at', 'finished_at'], keep: ['jobs'] },
});

/**
 * SQLite is served by one process: at its start, every run still marked as
 * running belongs to a process that is gone, so it is queued again at once
 * instead of waiting for its lease to run out.
 */
export async function requeueAbandonedRuns(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('executions')
    .set({ status: 'queued', lease_owner: null, lease_until: null })
    .where('finished_at', 'is', null)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
