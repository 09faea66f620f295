import type { HttpReply, JobRecord, TriggerContext } from '../engine/run.js';
import type { ErrorRecord } from '../shared/errors.js';
import type { ExecutionMode, NewExecution } from '../store/executions.js';
import type { StoredJob } from '../store/jobs.js';
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

export function executionRow(state: RunState, lease: { workerId: string; leaseUntil: string }): NewExecution & { attempt: number } {
  const base = {
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
  };
  if (state.finished) {
    return { ...base, status: state.finished.status, error: scrub(state, state.finished.error) ?? undefined, finishedAt: state.finished.finishedAt, leaseOwner: null, leaseUntil: null };
  }
  if (state.queued || state.handedBack) return { ...base, status: 'queued', leaseOwner: null, leaseUntil: null };
  return { ...base, status: 'running', leaseOwner: lease.workerId, leaseUntil: lease.leaseUntil };
}

export function unconfirmedJobs(state: RunState): (StoredJob & { seq: number })[] {
  return state.jobs.slice(state.confirmedJobs).map((job, index) => ({
    ...job,
    input: scrub(state, job.input),
    output: scrub(state, job.output),
    error: scrub(state, job.error),
    seq: state.seqBase + state.confirmedJobs + index,
  }));
}

/** A secret used through a template never reaches the store (docs/security.md). */
function scrub<T>(state: RunState, value: T): T {
  return state.secretValues.length === 0 ? value : (redactSecrets(value, state.secretValues) as T);
}
