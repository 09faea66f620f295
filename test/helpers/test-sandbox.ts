/**
 * Sandboxes for tests: one real pool shared by a test file (its workers start
 * on first use and do not keep the process alive when idle), and a hanging
 * one for timeout tests.
 */
import type { ScriptOutcome, ScriptRunner } from '../../src/sandbox/sandbox.js';
import { createSandboxPool, type SandboxPool } from '../../src/sandbox/sandbox-pool.js';

let shared: SandboxPool | undefined;

/** The real QuickJS pool (2 workers, 1 s, 64 MiB), created on first call. */
export function testSandbox(): SandboxPool {
  shared ??= createSandboxPool({ size: 2, timeLimitMs: 1000, memoryLimitMb: 64 });
  return shared;
}

/** Never finishes a script on its own; on abort it reports `cancelled` and calls `onAbort`. */
export function hangingSandbox(onAbort: () => void): ScriptRunner {
  return {
    run: ({ signal }) =>
      new Promise<ScriptOutcome>((resolve) => {
        signal?.addEventListener('abort', () => {
          onAbort();
          resolve({ ok: false, failure: { kind: 'cancelled', message: 'the script was stopped' }, logs: [] });
        }, { once: true });
      }),
  };
}
