import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Write = (trx: Transaction<Database>) => Promise<void>;

export interface WriteBatcher {
  /** Resolves once the write is committed, together with whatever else arrived in the same turn of the event loop. */
  write(write: Write): Promise<void>;
  /** Waits for everything queued so far. */
  drain(): Promise<void>;
}

interface Pending {
  write: Write;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: writes that arrive while one transaction is open, or in the
 * same event-loop turn, share the next transaction. Under 32 concurrent
 * webhook calls this turns ~5 commits per request into a handful per batch
 * (docs/benchmarks.md has the figures). If a batch fails, each of its writes
 * is retried alone, so one bad write cannot fail its neighbours.
 */
export function createWriteBatcher(db: Kysely<Database>, options: { maxBatch?: number } = {}): WriteBatcher {
  const maxBatch = options.maxBatch ?? 256;
  let queue: Pending[] = [];
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();

  async function commit(batch: Pending[]): Promise<void> {
    try {
      await db.transaction().execute(async (trx) => {
        for (const item of batch) await item.write(trx);
      });
      for (const item of batch) item.resolve();
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      for (const item of batch) {
        try {
          await db.transaction().execute((trx) => item.write(trx));
          item.resolve();
        } catch (single) {
          item.reject(single);
        }
      }
    }
  }

  function flush(): void {
    scheduled = false;
    running = running.then(async () => {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await commit(batch);
      }
    });
  }

  return {
    write(write) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ write, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async drain() {
      while (queue.length > 0 || scheduled) await new Promise((resolve) => setImmediate(resolve));
      await running;
    },
  };
}
