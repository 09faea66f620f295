import type { HttpReply, JobRecord, TriggerContext } from '../engine/run.js';
import type { ErrorRecord } from '../shared/errors.js';
import type { ExecutionMode, NewExecution, SavedExecution } from '../store/executions.js';
import type { ExecutionJob, StoredJob } from '../store/jobs.js';
import { redactSecrets } from '../secrets/redact.js';

/** What a run in this process knows about itself; the store sees snapshots of it. */
export interface RunState {
  id: string;
  workflowId: string;
  workflowVersion: number;
  mode: ExecutionMode;
  context: TriggerContext;
  requestId: string | null;
  retryOf: string | null;
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  /** Finished jobs of this attempt, in run order. */
  jobs: JobRecord[];
  /** Jobs of earlier attempts already in the store, so new ones number after them. */
  seqBase: number;
  /** How many of `jobs` are known to be committed. */
  confirmedJobs: number;
  /** The first `respond` node's reply, or for sync runs what the caller was sent. */
  response: HttpReply | null;
  /** Once durable, every finished job and the end are committed before the run moves on. */
  durable: boolean;
  /** Not started here yet: stays queued for a worker. */
  queued: boolean;
  handedBack: boolean;
  finished: { status: 'succeeded' | 'failed'; error: ErrorRecord | null; finishedAt: string } | null;
  /** The `$secrets` values the run saw: scrubbed from everything stored about it. */
  secretValues: readonly string[];
}

/** The execution row as the run stands now. Built field by field: object spreads here were ~3% of a webhook call. */
function executionRow(state: RunState, lease: { workerId: string; leaseUntil: string }): NewExecution & { attempt: number } {
  const { finished } = state;
  const leased = finished === null && !state.queued && !state.handedBack;
  return {
    id: state.id,
    workflowId: state.workflowId,
    workflowVersion: state.workflowVersion,
    mode: state.mode,
    trigger: state.context,
    createdAt: state.createdAt,
    requestId: state.requestId,
    retryOf: state.retryOf,
    attempt: state.attempt,
    response: scrub(state, state.response) ?? undefined,
    startedAt: state.startedAt,
    status: finished ? finished.status : leased ? 'running' : 'queued',
    error: finished ? (scrub(state, finished.error) ?? undefined) : undefined,
    finishedAt: finished ? finished.finishedAt : undefined,
    leaseOwner: leased ? lease.workerId : null,
    leaseUntil: leased ? lease.leaseUntil : null,
  };
}

/**
 * The rows that record the run as it stands: its execution, and the jobs not
 * yet committed. A run written whole in one commit (finished, nothing of it
 * stored before) keeps its jobs in its execution row instead (store/jobs.ts).
 */
export function runRows(state: RunState, lease: { workerId: string; leaseUntil: string }): { execution: SavedExecution; jobs: (StoredJob & { seq: number })[] } {
  const execution: SavedExecution = executionRow(state, lease);
  if (state.finished !== null && state.seqBase === 0 && state.confirmedJobs === 0) {
    execution.jobs = state.jobs.map((job) => storedJob(state, job));
    return { execution, jobs: [] };
  }
  const jobs: (StoredJob & { seq: number })[] = [];
  for (let index = state.confirmedJobs; index < state.jobs.length; index++) {
    const job = state.jobs[index]!;
    jobs.push(Object.assign(storedJob(state, job), { executionId: job.executionId, seq: state.seqBase + index }));
  }
  return { execution, jobs };
}

function storedJob(state: RunState, job: JobRecord): ExecutionJob {
  const row: ExecutionJob = {
    id: job.id,
    path: job.path,
    nodeKey: job.nodeKey,
    type: job.type,
    status: job.status,
    branch: job.branch,
    input: scrub(state, job.input),
    output: scrub(state, job.output),
    error: scrub(state, job.error),
    attempts: job.attempts,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
  if (job.logs !== undefined) row.logs = job.logs;
  return row;
}

/** A secret used through a template never reaches the store (docs/security.md). */
function scrub<T>(state: RunState, value: T): T {
  return state.secretValues.length === 0 ? value : (redactSecrets(value, state.secretValues) as T);
}
