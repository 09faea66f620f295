import { CompiledQuery } from 'kysely';
import type { SqliteHandle, Store } from './database.js';
import { saveExecutions, type SavedExecution } from './executions.js';
import { saveJobs, type StoredJob } from './jobs.js';
import { insertRequests, type RequestLogEntry } from './requests.js';

/** The rows one group commit writes. */
export interface WriteSet {
  executions: SavedExecution[];
  jobs: (StoredJob & { seq: number })[];
  requests: RequestLogEntry[];
}

/**
 * Adds rows to the set being committed. Called when the batch is flushed,
 * not when `write` is called, so a run's snapshot is as fresh as it can be.
 */
export type Collect = (set: WriteSet) => void;

export interface WriteBatcher {
  /** Resolves once the rows are committed, together with whatever else arrived in the same turn of the event loop. */
  write(collect: Collect): Promise<void>;
  /** Waits for everything queued so far. */
  drain(): Promise<void>;
}

interface Pending {
  collect: Collect;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the hot path: the execution, job and request-log rows of
 * every webhook call that arrives while a transaction is open, or in the same
 * event-loop turn, go into the next commit as three multi-row inserts: on
 * SQLite one synchronous transaction, on PostgreSQL one statement. Under 32
 * concurrent calls this replaces ~3 statements and a commit per call with one
 * commit per batch of ~20 calls (docs/benchmarks.md). If a batch fails, each
 * of its writes is retried alone, so one bad write cannot fail its neighbours.
 */
export function createWriteBatcher(store: Store, options: { maxBatch?: number } = {}): WriteBatcher {
  const maxBatch = options.maxBatch ?? 256;
  let queue: Pending[] = [];
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();

  async function commitRows(items: readonly Pending[]): Promise<void> {
    const set: WriteSet = { executions: [], jobs: [], requests: [] };
    for (const item of items) item.collect(set);
    // One statement may not upsert a row twice (PostgreSQL refuses): the latest snapshot wins.
    const executions = lastById(set.executions, (e) => e.id);
    const jobs = lastById(set.jobs, (j) => `${j.executionId}\u0000${j.path}`);
    if (executions.length + jobs.length + set.requests.length === 0) return;
    const { sqlite } = store;
    if (sqlite) {
      // Holding Kysely's one SQLite connection keeps the batch out of a Kysely transaction in flight on it.
      await store.db.connection().execute(async () => sqlite.transaction(() => writeSqlite(sqlite, executions, jobs, set.requests)));
      return;
    }
    const oneStatement = postgresStatement(executions, jobs, set.requests);
    if (oneStatement) {
      await store.db.executeQuery(oneStatement);
      return;
    }
    await store.db.transaction().execute(async (trx) => {
      if (executions.length > 0) await saveExecutions(trx, executions);
      if (jobs.length > 0) await saveJobs(trx, jobs);
      if (set.requests.length > 0) await insertRequests(trx, set.requests);
    });
  }

  async function commit(batch: Pending[]): Promise<void> {
    try {
      await commitRows(batch);
      for (const item of batch) item.resolve();
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      for (const item of batch) {
        await commitRows([item]).then(item.resolve, item.reject);
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
    write(collect) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ collect, resolve, reject });
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

function writeSqlite(sqlite: SqliteHandle, executions: SavedExecution[], jobs: WriteSet['jobs'], requests: RequestLogEntry[]): void {
  if (executions.length > 0) saveExecutions.sqlite(sqlite, executions);
  if (jobs.length > 0) saveJobs.sqlite(sqlite, jobs);
  if (requests.length > 0) insertRequests.sqlite(sqlite, requests);
}

/** PostgreSQL's limit on bound parameters in one statement. */
const MAX_POSTGRES_PARAMETERS = 65_535;

/**
 * The whole batch as one PostgreSQL statement: the inserts as data-modifying
 * WITH clauses of the last one. A statement is atomic on its own, so this is
 * one round trip where BEGIN, three inserts and COMMIT were five. Undefined
 * when the batch has more values than one statement may bind.
 */
function postgresStatement(executions: SavedExecution[], jobs: WriteSet['jobs'], requests: RequestLogEntry[]): CompiledQuery | undefined {
  const parameters: unknown[] = [];
  const inserts: string[] = [];
  if (executions.length > 0) inserts.push(saveExecutions.postgresText(executions, parameters));
  if (jobs.length > 0) inserts.push(saveJobs.postgresText(jobs, parameters));
  if (requests.length > 0) inserts.push(insertRequests.postgresText(requests, parameters));
  if (parameters.length > MAX_POSTGRES_PARAMETERS) return undefined;
  const last = inserts.pop()!;
  const withClauses = inserts.map((insert, index) => `w${index} as (${insert})`);
  return CompiledQuery.raw(withClauses.length > 0 ? `with ${withClauses.join(', ')} ${last}` : last, parameters);
}

function lastById<T>(rows: readonly T[], idOf: (row: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const row of rows) {
    const id = idOf(row);
    byId.delete(id); // keep the order of the latest write
    byId.set(id, row);
  }
  return byId.size === rows.length ? (rows as T[]) : [...byId.values()];
}
