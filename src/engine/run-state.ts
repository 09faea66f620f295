import type { ErrorRecord } from '../shared/errors.js';
import type { CompiledWorkflow } from './compile.js';
import type { Scope } from './expressions/index.js';
import type { EnginePorts } from './ports.js';
import type { JobRecord, RunRequest } from './run.js';

/** What stops every sequence of the run, not just the one it happened in. */
export type Halt =
  | { readonly kind: 'ended'; readonly status: 'succeeded' | 'failed'; readonly nodeKey: string; readonly message: string | undefined }
  | { readonly kind: 'interrupted' }
  /** `onJob` threw: nothing more may run, `runWorkflow` rejects with `error`. */
  | { readonly kind: 'crashed'; readonly error: unknown };

/** One run's mutable state, shared by every sequence (parallel branches included). */
export interface RunState {
  readonly workflow: CompiledWorkflow;
  readonly request: RunRequest;
  readonly ports: EnginePorts;
  readonly execution: { readonly executionId: string; readonly workflowId: string; readonly workflowVersion: number };
  /** Succeeded jobs of an earlier attempt, by path. */
  readonly completed: ReadonlyMap<string, JobRecord>;
  /** A reply went out (here or in an earlier attempt): later `respond` nodes do not call `onRespond`. */
  responded: boolean;
  /**
   * The first `onError: stop` failure. It stops its own sequence and those
   * around it; sibling parallel branches run on, so the run fails only after
   * every branch has settled.
   */
  failure: ErrorRecord | undefined;
  halt: Halt | undefined;
}

/** A sequence's view: the scope its nodes see and the job-path prefix of its loop iteration. */
export interface Frame {
  readonly scope: Scope;
  /** The same object as `scope.$nodes`; outputs are written here. */
  readonly nodes: Record<string, unknown>;
  /** `''` at top level, `each[2].` inside iteration 2 of loop `each`. */
  readonly prefix: string;
}

/** Thrown inside the executor when shutdown cut a node short; never escapes `runWorkflow`. */
export class Interrupted extends Error {
  constructor() {
    super('run interrupted by shutdown');
    this.name = 'Interrupted';
  }
}

const NO_JOBS: ReadonlyMap<string, JobRecord> = new Map();

export function createRunState(workflow: CompiledWorkflow, request: RunRequest, ports: EnginePorts): RunState {
  let completed = NO_JOBS;
  if (request.completedJobs !== undefined && request.completedJobs.length > 0) {
    const byPath = new Map<string, JobRecord>();
    for (const job of request.completedJobs) if (job.status === 'succeeded') byPath.set(job.path, job);
    completed = byPath;
  }
  return {
    workflow,
    request,
    ports,
    execution: { executionId: request.executionId, workflowId: request.workflowId, workflowVersion: request.workflowVersion },
    completed,
    responded: false,
    failure: undefined,
    halt: undefined,
  };
}
