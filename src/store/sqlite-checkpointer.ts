import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite's WAL checkpoints on a thread of their own. A checkpoint copies
 * the WAL into the database file and fsyncs both; left to SQLite's automatic
 * checkpoints it runs inside whichever commit crosses the threshold, on the
 * event loop, and under load it took ~8% of the server's CPU time in
 * sub-millisecond stalls. PASSIVE checkpoints never block the writer.
 *
 * Only the checkpoints moved: committing the batches themselves on a writer
 * thread was measured 15% slower (docs/benchmarks.md) — the messages cost
 * more than the commits on a two-core machine.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err) }); }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.postMessage('stopped');
  }
});
`;

export function startCheckpointer(options: { file: string; driverPath: string; intervalMs?: number; onError?: (message: string) => void }): Checkpointer {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { file: options.file, driver: options.driverPath, intervalMs: options.intervalMs ?? 500 },
  });
  worker.unref();
  worker.on('message', (message: unknown) => {
    if (typeof message === 'object' && message && 'error' in message) options.onError?.(String((message as { error: string }).error));
  });
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
        // Referenced while stopping, so the process waits for the last checkpoint instead of exiting under it.
        worker.ref();
        worker.postMessage('stop');
      }).then(() => worker.terminate().then(() => undefined));
      return stopped;
    },
  };
}
