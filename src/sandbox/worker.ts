/**
 * The sandbox worker thread's entry point (started by `sandbox-pool.ts`, never
 * imported): compiles QuickJS once, says `ready`, then runs one job at a time.
 * Module-level code is the point of an entry file, like `cli/main.ts`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createScriptEngine } from './run-script.js';
import type { WorkerJob, WorkerMessage, WorkerSetup } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('src/sandbox/worker.ts runs only as a worker thread');
const setup = workerData as WorkerSetup;
const cancel = new Int32Array(setup.cancel);

const engine = await createScriptEngine({ spareMemoryLimitMb: setup.memoryLimitMb });
const send = (message: WorkerMessage) => port.postMessage(message);

port.on('message', (job: WorkerJob) => {
  void engine.run(job, () => Atomics.load(cancel, 0) !== 0).then((outcome) => send({ type: 'done', id: job.id, outcome }));
});
send({ type: 'ready' });
