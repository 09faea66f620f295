import type { HttpReply } from '../engine/run.js';
import { errorBody } from '../shared/errors.js';
import type { RunState } from './run-state.js';

export type SyncAnswerState = 'replied' | 'succeeded' | 'failed' | 'timeout' | 'handed_back';

const json = { 'content-type': 'application/json; charset=utf-8' };

/**
 * What a sync caller is sent (DESIGN "Webhook endpoint"): the first respond
 * node's reply (or the evaluated `trigger.response`, which the engine passes
 * the same way); else 200 with the execution id; 500 naming the failing node;
 * 202 with the execution id when the run goes on past `timeoutMs` or was
 * handed back at shutdown.
 */
export function syncReply(
  state: RunState,
  first: 'replied' | 'ended' | 'timeout',
): { reply: HttpReply; state: SyncAnswerState } {
  if (state.response) return { reply: state.response, state: first === 'ended' ? (state.finished?.status ?? 'handed_back') : 'replied' };
  if (first === 'timeout' || state.handedBack || !state.finished) {
    return { reply: { status: 202, headers: json, body: { executionId: state.id } }, state: first === 'timeout' ? 'timeout' : 'handed_back' };
  }
  if (state.finished.status === 'failed') {
    const error = state.finished.error;
    const where = error?.nodeKey ? `node "${error.nodeKey}" failed: ` : '';
    const body = errorBody('run_failed', `${where}${error?.message ?? 'the run failed'}`, {
      executionId: state.id,
      nodeKey: error?.nodeKey ?? null,
      cause: error?.code ?? null,
    });
    return { reply: { status: 500, headers: json, body }, state: 'failed' };
  }
  return { reply: { status: 200, headers: json, body: { executionId: state.id, status: 'succeeded' } }, state: 'succeeded' };
}
