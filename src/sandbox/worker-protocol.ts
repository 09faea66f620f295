/**
 * Messages between the pool (main thread) and a sandbox worker. Data crosses
 * as JSON text: the script's globals go in as one string, its value comes out
 * as one, so no host object is ever structured-cloned into or out of a run.
 */
import type { ScriptFailure } from './sandbox.js';

/** `workerData` of a sandbox worker. */
export interface WorkerSetup {
  /**
   * One Int32 the pool sets to 1 to stop the running script. The worker
   * thread is busy inside QuickJS and reads no messages until it returns, so
   * the interrupt handler polls this instead.
   */
  cancel: SharedArrayBuffer;
  /** The memory limit to keep a spare QuickJS instance ready for. */
  memoryLimitMb: number;
}

export interface WorkerJob {
  id: number;
  source: string;
  /** JSON of the script's `ScriptGlobals`. */
  globals: string;
  timeLimitMs: number;
  memoryLimitMb: number;
}

export type WorkerOutcome =
  | { ok: true; json: string; logs: string[] }
  | { ok: false; failure: ScriptFailure; logs: string[] };

export type WorkerMessage =
  /** The worker has compiled QuickJS and takes jobs. */
  | { type: 'ready' }
  | { type: 'done'; id: number; outcome: WorkerOutcome };
