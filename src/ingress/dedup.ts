import type { Kysely } from 'kysely';
import type { CompiledTrigger } from '../engine/compile.js';
import type { HttpReply, TriggerContext } from '../engine/run.js';
import { claimDedupKey } from '../store/dedup-keys.js';
import { getExecution } from '../store/executions.js';
import type { Database } from '../store/schema.js';

const json = { 'content-type': 'application/json; charset=utf-8' };

export interface Deduplicator {
  /**
   * Claims the delivery's dedup key for `executionId`. Returns the first
   * execution's id when this delivery is a duplicate; undefined when it is
   * new (or the workflow has no `dedup`, or the key evaluates to nothing).
   */
  claim(input: { workflowId: string; trigger: CompiledTrigger; context: TriggerContext; executionId: string; now: Date; staleMs: number }): Promise<string | undefined>;
  /**
   * What a duplicate is answered: the first sync answer replayed (waiting up
   * to `waitMs` for it), or `200 {executionId, duplicate: true}`; a sync
   * duplicate whose first answer is not known in time gets that with `202`.
   */
  replay(firstExecutionId: string, mode: 'sync' | 'async', waitMs: number): Promise<HttpReply>;
  /** Sync answers still being worked out here, so a duplicate arriving meanwhile can replay them. */
  track(executionId: string, answer: Promise<HttpReply>): void;
}

export function createDeduplicator(db: Kysely<Database>): Deduplicator {
  const inFlight = new Map<string, Promise<HttpReply>>();
  return {
    async claim({ workflowId, trigger, context, executionId, now, staleMs }) {
      if (!trigger.dedup) return undefined;
      const key = trigger.dedup.key.evaluate({ $context: context });
      if (key === undefined || key === null || key === '') return undefined;
      const claim = await claimDedupKey(db, {
        workflowId,
        key: typeof key === 'string' ? key : JSON.stringify(key),
        executionId,
        now: now.toISOString(),
        expiresAt: new Date(now.getTime() + trigger.dedup.windowMs).toISOString(),
        staleBefore: new Date(now.getTime() - staleMs).toISOString(),
      });
      return claim.claimed ? undefined : claim.executionId;
    },
    async replay(firstExecutionId, mode, waitMs) {
      const duplicate: HttpReply = { status: 200, headers: json, body: { executionId: firstExecutionId, duplicate: true } };
      if (mode === 'async') return duplicate;
      // The first delivery may still be running, here or in another process:
      // wait for its answer as long as its caller would, then replay it.
      const deadline = Date.now() + waitMs;
      for (;;) {
        const pending = inFlight.get(firstExecutionId);
        if (pending) return pending;
        const first = await getExecution(db, firstExecutionId);
        const response = first?.response as HttpReply | null | undefined;
        if (response) return response;
        if (Date.now() >= deadline || (first && first.status !== 'running')) return { ...duplicate, status: 202 };
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    track(executionId, answer) {
      inFlight.set(executionId, answer);
      const forget = () => inFlight.delete(executionId);
      answer.then(forget, forget);
    },
  };
}
