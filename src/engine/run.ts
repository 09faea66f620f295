/**
 * What a run is given and what it gives back: the trigger data, one job record
 * per node run, and the outcome. `executor.ts` implements `runWorkflow` over
 * these types; ingress and the queue build a {@link RunRequest}.
 */
import type { ErrorRecord } from '../shared/errors.js';

/** An uploaded file (multipart); the bytes are stored elsewhere under `id`. */
export interface FileInfo {
  field: string;
  name: string;
  type: string;
  size: number;
  id: string;
}

/** `$context` in expressions. */
export interface TriggerContext {
  /** The parsed body; `{}` when there is none. */
  data: unknown;
  /** Lower-case names. */
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Named segments of `trigger.path`. */
  params: Record<string, string>;
  method: string;
  path: string;
  ip: string;
  /** ISO 8601. */
  receivedAt: string;
  rawBody: string;
  files: FileInfo[];
}

/** An HTTP answer a workflow gives its caller (sync mode). */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  /** `null`: no body. */
  body: unknown;
}

export type JobStatus = 'succeeded' | 'failed';

/** One node run. */
export interface JobRecord {
  id: string;
  executionId: string;
  /**
   * Unique per run: the node key, prefixed by each enclosing loop iteration,
   * e.g. `reply`, `each[2].child`, `outer[0].inner[3].child`.
   */
  path: string;
  nodeKey: string;
  type: string;
  status: JobStatus;
  /** The child list the node chose (`then`, `else`, `do`, `branches`), if any. */
  branch: string | null;
  /** The node's config after template evaluation; `null` if evaluation failed. */
  input: unknown;
  output: unknown;
  error: ErrorRecord | null;
  attempts: number;
  startedAt: string;
  finishedAt: string;
  /** What the node logged for the user (a `code` node's `console.*`), on success or failure; absent when nothing. */
  logs?: string[];
}

export interface RunRequest {
  executionId: string;
  workflowId: string;
  workflowVersion: number;
  context: TriggerContext;
  secrets: Record<string, string>;
  /**
   * Jobs that SUCCEEDED in an earlier attempt of this run. They are not run
   * again: their output, branch and (loops) items are reused, and `onJob` is
   * not called for them. Failed jobs in this list are ignored.
   */
  completedJobs?: JobRecord[];
  /**
   * Shutdown: no further node starts, in-flight node signals are aborted and
   * the run resolves `{ status: 'interrupted' }` without recording the nodes
   * cut short. A node with `timeoutMs` is abandoned at once; one without is
   * awaited until it gives up (every core node honours its signal).
   */
  signal?: AbortSignal;
  /**
   * Each finished job, awaited before the next node starts (durable runs
   * commit here). If it throws, no further node starts and `runWorkflow`
   * rejects with that error.
   */
  onJob(job: JobRecord): void | Promise<void>;
  /**
   * The sync reply: the first `respond` node's (the run goes on after it), or,
   * for a sync workflow that succeeds without one, the evaluated
   * `trigger.response`. Called at most once per run.
   */
  onRespond(reply: HttpReply): void;
}

export type RunOutcome =
  | { status: 'succeeded' }
  /** `error.nodeKey` names the node that failed the run (or the `end` node). */
  | { status: 'failed'; error: ErrorRecord }
  | { status: 'interrupted' };
