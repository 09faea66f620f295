/**
 * The {@link Sandbox}: a pool of worker threads, each running one script at a
 * time in QuickJS. Runs queue (FIFO) for a free worker. Workers start on first
 * use, and a worker that dies is replaced on the next run that needs one.
 * Three lines of defence against a script that will not stop: QuickJS's
 * interrupt handler (time limit, cancel flag), the capped WebAssembly memory,
 * and here a wall-clock backstop that terminates a worker that has not
 * answered by its time limit plus a margin.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../shared/logger.js';
import { MIN_MEMORY_LIMIT_MB, type Sandbox, type ScriptFailure, type ScriptOutcome, type ScriptRequest } from './sandbox.js';
import type { WorkerJob, WorkerMessage, WorkerOutcome, WorkerSetup } from './worker-protocol.js';

export interface SandboxPoolOptions {
  /** Worker threads: how many scripts run at once. */
  size: number;
  /** Default time limit per script, in ms. */
  timeLimitMs: number;
  /** Default memory limit per script, in MiB (at least 16). */
  memoryLimitMb: number;
  /** How long past a script's time limit a silent worker is given before it is terminated. Default 1000 ms. */
  backstopMarginMs?: number;
  logger?: Logger;
  /** The worker script; tests substitute their own. Default: see {@link defaultWorkerEntry}. */
  entry?: WorkerEntry;
}

/** A worker script file, or JavaScript source evaluated as one (CommonJS). */
export type WorkerEntry = { url: URL } | { eval: string };

export interface SandboxPoolStats {
  workers: number;
  busy: number;
  queued: number;
  /** Workers terminated by the backstop or lost to a crash since the pool started. */
  replaced: number;
}

export interface SandboxPool extends Sandbox {
  stats(): SandboxPoolStats;
}

interface Task {
  job: WorkerJob;
  settled: boolean;
  settle(outcome: ScriptOutcome): void;
}

interface Slot {
  worker: Worker;
  cancel: Int32Array;
  ready: boolean;
  gone: boolean;
  task?: Task;
  backstop?: NodeJS.Timeout;
}

const failed = (failure: ScriptFailure, logs: string[] = []): ScriptOutcome => ({ ok: false, failure, logs });

export function createSandboxPool(options: SandboxPoolOptions): SandboxPool {
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`the sandbox needs at least 1 worker, got ${options.size}`);
  if (options.memoryLimitMb < MIN_MEMORY_LIMIT_MB) throw new Error(`the sandbox memory limit must be at least ${MIN_MEMORY_LIMIT_MB} MiB, got ${options.memoryLimitMb}`);
  const entry = options.entry ?? defaultWorkerEntry();
  const margin = options.backstopMarginMs ?? 1000;
  const slots = new Set<Slot>();
  const queue: Task[] = [];
  let nextId = 1;
  let replaced = 0;
  let closed = false;

  function pump(): void {
    while (queue.length > 0) {
      const slot = [...slots].find((s) => s.ready && !s.gone && s.task === undefined);
      if (slot === undefined) break;
      dispatch(slot, queue.shift() as Task);
    }
    let starting = [...slots].filter((s) => !s.ready).length;
    while (queue.length > starting && slots.size < options.size) {
      spawn();
      starting++;
    }
  }

  function dispatch(slot: Slot, task: Task): void {
    slot.task = task;
    Atomics.store(slot.cancel, 0, 0);
    slot.worker.ref();
    slot.worker.postMessage(task.job);
    slot.backstop = setTimeout(() => {
      const { timeLimitMs } = task.job;
      task.settle(failed({ kind: 'timeout', message: `the script ran past its time limit (${timeLimitMs} ms) and did not stop; its worker was replaced`, limit: timeLimitMs }));
      options.logger?.warn({ timeLimitMs }, 'sandbox worker did not stop a script in time; replacing it');
      retire(slot);
    }, task.job.timeLimitMs + margin);
  }

  function spawn(): void {
    const cancel = new SharedArrayBuffer(4);
    const setup: WorkerSetup = { cancel, memoryLimitMb: options.memoryLimitMb };
    const worker = 'url' in entry ? new Worker(entry.url, { workerData: setup }) : new Worker(entry.eval, { eval: true, workerData: setup });
    const slot: Slot = { worker, cancel: new Int32Array(cancel), ready: false, gone: false };
    slots.add(slot);
    worker.on('message', (message: WorkerMessage) => onMessage(slot, message));
    worker.on('error', (error) => onGone(slot, error));
    worker.on('exit', (code) => onGone(slot, new Error(`exited with code ${code}`)));
  }

  function onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      slot.worker.unref();
    } else {
      const task = slot.task;
      if (task === undefined || task.job.id !== message.id) return;
      clearTimeout(slot.backstop);
      slot.task = undefined;
      slot.worker.unref();
      task.settle(fromWorker(message.outcome));
    }
    pump();
  }

  function onGone(slot: Slot, error: Error): void {
    if (slot.gone) return;
    slot.gone = true;
    slots.delete(slot);
    clearTimeout(slot.backstop);
    if (closed) return;
    replaced++;
    options.logger?.warn({ err: error, started: slot.ready }, 'sandbox worker stopped');
    slot.task?.settle(failed({ kind: 'crashed', message: `the sandbox worker stopped while running the script: ${error.message}` }));
    if (!slot.ready && ![...slots].some((s) => s.ready)) {
      // No worker could start (a broken install, say): fail what waits rather than respawn in a loop.
      for (const task of queue.splice(0)) task.settle(failed({ kind: 'unavailable', message: `the sandbox could not start a worker: ${error.message}` }));
    }
    pump();
  }

  function retire(slot: Slot): void {
    slot.task = undefined;
    onGone(slot, new Error('terminated by the backstop'));
    void slot.worker.terminate();
  }

  function cancel(task: Task): void {
    const slot = [...slots].find((s) => s.task === task);
    // A running script stops at its next interrupt check; its worker is busy until it answers (or the backstop fires).
    if (slot !== undefined) Atomics.store(slot.cancel, 0, 1);
    else if (queue.includes(task)) queue.splice(queue.indexOf(task), 1);
    task.settle(failed({ kind: 'cancelled', message: 'the script was stopped' }));
  }

  return {
    run(request: ScriptRequest): Promise<ScriptOutcome> {
      if (closed) return Promise.resolve(failed({ kind: 'unavailable', message: 'the sandbox is shut down' }));
      if (request.signal?.aborted) return Promise.resolve(failed({ kind: 'cancelled', message: 'the script was stopped' }));
      let globals: string;
      try {
        globals = JSON.stringify(request.globals);
      } catch (error) {
        return Promise.resolve(failed({ kind: 'error', message: `the script's input is not JSON-serialisable: ${(error as Error).message}` }));
      }
      const job: WorkerJob = {
        id: nextId++,
        source: request.source,
        globals,
        timeLimitMs: request.timeLimitMs ?? options.timeLimitMs,
        memoryLimitMb: Math.max(MIN_MEMORY_LIMIT_MB, request.memoryLimitMb ?? options.memoryLimitMb),
      };
      return new Promise<ScriptOutcome>((resolve) => {
        const signal = request.signal;
        const onAbort = () => cancel(task);
        const task: Task = {
          job,
          settled: false,
          settle(outcome) {
            if (task.settled) return;
            task.settled = true;
            signal?.removeEventListener('abort', onAbort);
            resolve(outcome);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(task);
        pump();
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const task of queue.splice(0)) task.settle(failed({ kind: 'unavailable', message: 'the sandbox is shut down' }));
      const stopping = [...slots].map((slot) => {
        clearTimeout(slot.backstop);
        slot.task?.settle(failed({ kind: 'cancelled', message: 'the sandbox is shut down' }));
        return slot.worker.terminate();
      });
      slots.clear();
      await Promise.all(stopping);
    },

    stats() {
      const all = [...slots];
      return { workers: all.length, busy: all.filter((s) => s.task !== undefined).length, queued: queue.length, replaced };
    },
  };
}

function fromWorker(outcome: WorkerOutcome): ScriptOutcome {
  if (!outcome.ok) return outcome;
  try {
    return { ok: true, value: JSON.parse(outcome.json) as unknown, logs: outcome.logs };
  } catch {
    // The worker checks this; a throw here would escape the message handler and leave the run unsettled.
    return failed({ kind: 'error', message: 'the return value is not JSON-serialisable' }, outcome.logs);
  }
}

/**
 * `worker.js` beside this file once built. From source (tsx, vitest) it is
 * `worker.ts`, which Node cannot load by itself, and on Node 20 tsx registers
 * its loader on the main thread only (`isMainThread` in `tsx/esm`): the
 * worker registers tsx itself, then imports the TypeScript entry.
 */
export function defaultWorkerEntry(): WorkerEntry {
  const built = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { url: built };
  // The ESM build of `tsx/esm/api`: `require.resolve` would pick its CommonJS build, whose `register` fails inside a worker.
  const tsx = new URL('./dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
  const source = new URL('./worker.ts', import.meta.url).href;
  return { eval: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });` };
}
