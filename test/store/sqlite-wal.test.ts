import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/shared/ids.js';
import { openStore, type Store } from '../../src/store/database.js';
import { listExecutions } from '../../src/store/executions.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createWriteBatcher } from '../../src/store/write-batcher.js';

// SQLite only: the write-ahead log and its checkpoints have no PostgreSQL counterpart.
describe('SQLite write-ahead log under steady writes', () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function writeSteadily(rewindFrames: number) {
    dir = mkdtempSync(path.join(tmpdir(), 'hookflow-wal-'));
    const file = path.join(dir, 'hookflow.db');
    store = openStore({ kind: 'sqlite', file, checkpoints: { intervalMs: 5, rewindFrames } });
    await migrateToLatest(store);
    // The checkpointer thread is running once the migrations have been copied from the WAL into the file.
    for (let waited = 0; statSync(file).size <= 4096 && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const batcher = createWriteBatcher(store);
    const trigger = { data: { text: 'x'.repeat(4000) } };
    const batches = 400;
    const perBatch = 10;
    let largestWal = 0;
    // Back-to-back commits, as under load: a PASSIVE checkpoint alone never sees the WAL fully copied.
    for (let batch = 0; batch < batches; batch++) {
      await new Promise((resolve) => setImmediate(resolve)); // commits come from I/O callbacks, between which worker messages are delivered
      await batcher.write((set) => {
        for (let i = 0; i < perBatch; i++) {
          set.executions.push({ id: newId(), workflowId: 'w1', workflowVersion: 1, status: 'succeeded', mode: 'sync', trigger, createdAt: new Date().toISOString() });
        }
      });
      largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
    }
    const written = (await listExecutions(store.db, { workflowId: 'w1', limit: 1000 })).items.length;
    return { largestWal, written, bytes: batches * perBatch * trigger.data.text.length };
  }

  it('starts the log over instead of letting it grow with every commit', async () => {
    const { largestWal, bytes } = await writeSteadily(64);
    expect(bytes).toBeGreaterThan(15 * 2 ** 20);
    // 64 frames of 4 KiB, plus what was committed while checkpoints ran; unbounded, it held all ~35 MB.
    expect(largestWal).toBeLessThan(8 * 2 ** 20);
  });

  it('loses no row to a rewind', async () => {
    const { written } = await writeSteadily(16);
    expect(written).toBe(1000);
  });
});
