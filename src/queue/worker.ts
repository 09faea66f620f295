import type { WorkflowCatalog } from '../workflows/catalog.js';
import type { Runner } from '../runs/runner.js';
import type { Store } from '../store/database.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { claimExecutions, finishExecution } from '../store/executions.js';

export interface Worker {
  start(): void;
  /** Look for queued runs now (a local run finished, or one was queued here). */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * The embedded queue is the executions table itself: a worker claims queued
 * runs, and runs whose lease ran out, with one UPDATE … RETURNING (SKIP LOCKED
 * on PostgreSQL, so several processes share the work), and hands them to the
 * runner. It polls when idle and is woken when places free up here.
 */
export function createWorker(deps: {
  store: Store;
  runner: Runner;
  catalog: WorkflowCatalog;
  clock: Clock;
  logger: Logger;
  workerId: string;
  leaseMs: number;
  pollMs: number;
}): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stopped = true;

  async function claimOnce(): Promise<number> {
    const limit = deps.runner.capacity();
    if (limit === 0) return 0;
    const now = deps.clock.now();
    const claimed = await claimExecutions(deps.store.db, deps.store.dialect, {
      workerId: deps.workerId,
      limit,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + deps.leaseMs).toISOString(),
    });
    for (const execution of claimed) {
      const compiled = await deps.catalog.compiled(execution.workflowId, execution.workflowVersion).catch(() => undefined);
      if (!compiled) {
        await finishExecution(deps.store.db, {
          id: execution.id,
          status: 'failed',
          response: execution.response,
          error: { code: 'not_found', message: `workflow ${execution.workflowId} version ${execution.workflowVersion} is gone` },
          finishedAt: deps.clock.now().toISOString(),
        });
        continue;
      }
      deps.logger.debug({ executionId: execution.id, attempt: execution.attempt }, 'claimed run');
      await deps.runner.resume(execution, compiled);
    }
    return claimed.length;
  }

  async function loop(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const claimed = await claimOnce();
        if (claimed > 0 && deps.runner.capacity() > 0) again = true;
      } while (again && !stopped);
    } catch (err) {
      deps.logger.warn({ err }, 'claiming queued runs failed');
    } finally {
      running = false;
    }
  }

  const wake = () => {
    if (!stopped) void loop();
  };

  return {
    start() {
      stopped = false;
      deps.runner.onCapacity(wake);
      timer = setInterval(wake, deps.pollMs);
      timer.unref();
      wake();
    },
    wake,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      while (running) await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}
