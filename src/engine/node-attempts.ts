import { HookflowError, PermanentFailure, RetryLater } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { CompiledNode } from './compile.js';
import type { Scope } from './expressions/index.js';
import type { NodeContext, NodeResult } from './node-type.js';
import { Interrupted, type RunState } from './run-state.js';

export type AttemptsOutcome =
  | { readonly ok: true; readonly result: NodeResult; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/**
 * Runs a node up to `1 + retry.max` times, waiting `backoffMs * 2^(n-1)`
 * (via `ports.sleep`) before retry n, or longer when the failure is a
 * `RetryLater` asking for more. A `PermanentFailure` ends the attempts
 * at once. Throws {@link Interrupted} on shutdown; every other failure is
 * returned.
 */
export async function runAttempts(
  node: CompiledNode,
  config: Record<string, unknown>,
  at: { scope: Scope; path: string },
  state: RunState,
): Promise<AttemptsOutcome> {
  const attempts = 1 + node.retry.max;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await attemptOnce(node, config, at, attempt, state);
      return { ok: true, result, attempts: attempt };
    } catch (error) {
      // A node that failed because shutdown aborted its signal was interrupted, not failed.
      if (error instanceof Interrupted || state.request.signal?.aborted) throw new Interrupted();
      if (attempt >= attempts || error instanceof PermanentFailure) return { ok: false, error, attempts: attempt };
      const backoffMs = node.retry.backoffMs * 2 ** (attempt - 1);
      // Retry-After is the earliest the other side takes us back; our own backoff may ask for longer.
      const waitMs = error instanceof RetryLater ? Math.max(backoffMs, error.retryAfterMs) : backoffMs;
      state.ports.logger.debug({ nodeKey: node.key, attempt, waitMs, err: error }, 'node failed; retrying');
      try {
        await state.ports.sleep(waitMs, state.request.signal);
      } catch (sleepError) {
        if (state.request.signal?.aborted) throw new Interrupted();
        return { ok: false, error: sleepError, attempts: attempt };
      }
    }
  }
}

let never: AbortSignal | undefined;

/**
 * One call of `run`. Without `timeoutMs` the node gets the run's own signal
 * (shutdown aborts it) and is awaited as is: an AbortController plus an abort
 * listener per node tripled the cost of a condition + respond run (measured
 * 26-29 µs without them, 56-85 µs with, same machine and load). A node that ignores its signal then delays shutdown
 * until it finishes; the runner's grace period bounds that. With `timeoutMs`
 * the call is raced against the timer and shutdown: the node's own signal is
 * aborted and the attempt fails at once, even if the node ignores it.
 */
function attemptOnce(
  node: CompiledNode,
  config: Record<string, unknown>,
  at: { scope: Scope; path: string },
  attempt: number,
  state: RunState,
): Promise<NodeResult> {
  const runSignal = state.request.signal;
  const { timeoutMs } = node;
  if (runSignal?.aborted) return Promise.reject(new Interrupted());
  if (timeoutMs === undefined) {
    never ??= new AbortController().signal;
    return call(node, nodeContext(node, config, at, attempt, state, runSignal ?? never));
  }
  const controller = new AbortController();
  return new Promise<NodeResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (reason: Error) => {
      cleanup();
      controller.abort(reason);
      reject(reason);
    };
    const onShutdown = () => stop(new Interrupted());
    const cleanup = () => {
      clearTimeout(timer);
      runSignal?.removeEventListener('abort', onShutdown);
    };
    runSignal?.addEventListener('abort', onShutdown, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => stop(new HookflowError('node_timeout', `node "${node.key}" ran past its timeoutMs (${timeoutMs} ms)`)), timeoutMs);
    }
    call(node, nodeContext(node, config, at, attempt, state, controller.signal)).then(
      (result) => {
        cleanup();
        resolve(result);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

async function call(node: CompiledNode, ctx: NodeContext<Record<string, unknown>>): Promise<NodeResult> {
  return node.nodeType.run(ctx);
}

function nodeContext(
  node: CompiledNode,
  config: Record<string, unknown>,
  at: { scope: Scope; path: string },
  attempt: number,
  state: RunState,
  signal: AbortSignal,
): NodeContext<Record<string, unknown>> {
  return new AttemptContext(config, at.scope, signal, state, { key: node.key, path: at.path, attempt });
}

/** A class, not a literal: a getter in an object literal is built anew for every node run. */
class AttemptContext implements NodeContext<Record<string, unknown>> {
  readonly ports: RunState['ports'];
  readonly execution: RunState['execution'];
  #logger: Logger | undefined;

  constructor(
    readonly config: Record<string, unknown>,
    readonly scope: Scope,
    readonly signal: AbortSignal,
    state: RunState,
    readonly node: NodeContext<unknown>['node'],
  ) {
    this.ports = state.ports;
    this.execution = state.execution;
  }

  // Created on first use: most nodes never log, and a pino child costs more than the rest of a fast node.
  get logger(): Logger {
    this.#logger ??= this.ports.logger.child({ executionId: this.execution.executionId, nodeKey: this.node.key });
    return this.#logger;
  }
}
