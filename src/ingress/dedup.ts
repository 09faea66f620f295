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
  /** What a duplicate is answered: the first sync answer replayed, or `200 {executionId, duplicate: true}`. */
  replay(firstExecutionId: string, mode: 'sync' | 'async'): Promise<HttpReply>;
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
    async replay(firstExecutionId, mode) {
      const duplicate: HttpReply = { status: 200, headers: json, body: { executionId: firstExecutionId, duplicate: true } };
      if (mode === 'async') return duplicate;
      const pending = inFlight.get(firstExecutionId);
      if (pending) return pending;
      const first = await getExecution(db, firstExecutionId);
      const response = first?.response as HttpReply | null | undefined;
      return response ?? { ...duplicate, status: 202 };
    },
    track(executionId, answer) {
      inFlight.set(executionId, answer);
      const forget = () => inFlight.delete(executionId);
      answer.then(forget, forget);
    },
  };
}
