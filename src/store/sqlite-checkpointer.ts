import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite's WAL checkpoints on a thread of their own. A checkpoint copies
 * the WAL into the database file and fsyncs both; left to SQLite's automatic
 * checkpoints it runs inside whichever commit crosses the threshold, on the
 * event loop, and under load it took ~8% of the server's CPU time in
 * sub-millisecond stalls. PASSIVE checkpoints never block the writer.
 *
 * But SQLite rewinds the WAL to its start only when a write begins with every
 * frame already checkpointed, and under steady group commits a PASSIVE
 * checkpoint never catches up: the WAL grew by ~50 MB/s under the benchmark,
 * without bound, and appending to fresh file pages cost the commits ~10% of
 * the server's CPU in page zeroing. So once the WAL holds `rewindFrames`, the
 * checkpointer asks for a pause: the writer holds back its commits (the event
 * loop keeps serving; only commits wait), the checkpointer copies the last
 * frames, and the next commit starts the WAL over.
 *
 * Only the checkpoints moved: committing the batches themselves on a writer
 * thread was measured four times, twice after the rewind above, and was
 * never faster (docs/benchmarks.md): on a two-core machine the event loop
 * ends up waiting for the commits, and posting the rows costs it about as
 * much as the commits it no longer runs.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  file: string;
  driverPath: string;
  /** Runs `checkpoint` while no commit can start on the writer's connection. */
  pauseWrites(checkpoint: () => Promise<void>): Promise<void>;
  intervalMs?: number;
  /** WAL frames (pages) past which the writer is paused for a catch-up checkpoint. */
  rewindFrames?: number;
  onError?: (message: string) => void;
}

const DEFAULT_REWIND_FRAMES = 4096;

/** How long a paused writer waits for the checkpointer before it goes on regardless. */
const PAUSE_LIMIT_MS = 5_000;

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const report = (err) => parentPort.postMessage({ type: 'error', error: String(err) });
const timer = setInterval(() => {
  try {
    const { log } = checkpoint();
    if (log >= workerData.rewindFrames) parentPort.postMessage({ type: 'pause' });
  } catch (err) { report(err); }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'paused') {
    try { checkpoint(); } catch (err) { report(err); }
    parentPort.postMessage({ type: 'resume' });
  } else if (message === 'stop') {
    clearInterval(timer);
    try { checkpoint(); } catch {}
    db.close();
    parentPort.postMessage({ type: 'stopped' });
  }
});
`;

type WorkerMessage = { type: 'pause' | 'resume' | 'stopped' } | { type: 'error'; error: string };

export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      file: options.file,
      driver: options.driverPath,
      intervalMs: options.intervalMs ?? 500,
      rewindFrames: options.rewindFrames ?? DEFAULT_REWIND_FRAMES,
    },
  });
  worker.unref();
  let stopping = false;
  let pausing = false;
  let resume: (() => void) | undefined;
  const resumeWrites = () => {
    resume?.();
    resume = undefined;
  };

  function pause(): void {
    if (pausing || stopping) return;
    pausing = true;
    options
      .pauseWrites(
        () =>
          new Promise<void>((resolve) => {
            if (stopping) return resolve();
            const limit = setTimeout(resumeWrites, PAUSE_LIMIT_MS);
            resume = () => {
              clearTimeout(limit);
              resolve();
            };
            worker.postMessage('paused');
          }),
      )
      .catch((err: unknown) => options.onError?.(String(err)))
      .finally(() => {
        pausing = false;
      });
  }

  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'pause') pause();
    else if (message.type === 'resume') resumeWrites();
    else if (message.type === 'error') options.onError?.(message.error);
  });
  worker.on('exit', resumeWrites);

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopping = true;
      stopped ??= new Promise<void>((resolve) => {
        worker.on('message', (message: WorkerMessage) => message.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
        // Referenced while stopping, so the process waits for the last checkpoint instead of exiting under it.
        worker.ref();
        worker.postMessage('stop');
      }).then(() => worker.terminate().then(() => undefined));
      return stopped;
    },
  };
}
