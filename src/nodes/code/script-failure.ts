import { assertNever, HookflowError, PermanentFailure } from '../../shared/errors.js';
import type { ScriptFailure } from '../../sandbox/sandbox.js';

/**
 * The error a `code` node fails with, carrying the script's log lines (the
 * engine keeps them on the job). A script that does not compile will not
 * compile on a retry either: that one skips the remaining attempts.
 */
export function scriptFailureError(failure: ScriptFailure, logs: string[], signal: AbortSignal): Error {
  const error = toError(failure, signal);
  return Object.assign(error, { logs });
}

function toError(failure: ScriptFailure, signal: AbortSignal): Error {
  const at = failure.line === undefined ? '' : ` (line ${failure.line})`;
  const details = failure.line === undefined ? undefined : { line: failure.line };
  switch (failure.kind) {
    case 'syntax':
      return new PermanentFailure('script_error', `${failure.message}${at}`, { details });
    case 'error':
      return new HookflowError('script_error', `${failure.message}${at}`, { details });
    case 'timeout':
      return new HookflowError('node_timeout', failure.message, { details: { timeLimitMs: failure.limit } });
    case 'memory':
      return new HookflowError('script_memory_limit', failure.message, { details: { memoryLimitMb: failure.limit } });
    case 'cancelled':
      // The engine stopped the node (its timeoutMs, shutdown): its reason is the real story.
      return signal.reason instanceof Error ? signal.reason : new HookflowError('node_timeout', failure.message);
    case 'crashed':
      return new HookflowError('internal', failure.message);
    case 'unavailable':
      return new HookflowError('unavailable', failure.message);
    default:
      return assertNever(failure.kind);
  }
}
