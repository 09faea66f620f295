/**
 * Runs a user's JavaScript where it cannot reach the host: QuickJS compiled to
 * WebAssembly, a fresh instance per run, in a pool of worker threads
 * (`sandbox-pool.ts`), so a busy script never stalls the main event loop.
 * `node:vm` is no security boundary (its own docs say so), which is why the
 * scripts do not run in V8 at all.
 *
 * @example
 * const sandbox = createSandboxPool({ size: 2, timeLimitMs: 1000, memoryLimitMb: 64 });
 * const outcome = await sandbox.run({ source: 'return $context.data.n * 2', globals: { $context: { data: { n: 21 } }, $nodes: {} } });
 * // { ok: true, value: 42, logs: [] }
 * await sandbox.close();
 */

/** What the script sees as globals. Must be JSON-serialisable; it goes in as JSON. */
export interface ScriptGlobals {
  /** Also visible as `context`. */
  $context: unknown;
  $nodes: Record<string, unknown>;
  /** Inside a `loop`; `undefined` elsewhere. */
  $item?: unknown;
  $index?: number;
}

export interface ScriptRequest {
  /** The body of an async function; what it returns (as JSON) is the value. */
  source: string;
  globals: ScriptGlobals;
  /** Wall-clock limit on the script, in ms. Default: the pool's. */
  timeLimitMs?: number;
  /** Limit on the script's whole heap, in MiB (at least 16). Default: the pool's. */
  memoryLimitMb?: number;
  /** Aborting stops the script, queued or running; the outcome is then `cancelled`. */
  signal?: AbortSignal;
}

/**
 * Why a script gave no value. `error`: it threw, or returned something that is
 * not JSON. `syntax`: it does not compile. `timeout`, `memory`: it hit a
 * limit. `cancelled`: the request's signal aborted. `crashed`: its worker died
 * (the pool replaced it). `unavailable`: the pool is closed or cannot start a
 * worker.
 */
export type ScriptFailureKind = 'error' | 'syntax' | 'timeout' | 'memory' | 'cancelled' | 'crashed' | 'unavailable';

export interface ScriptFailure {
  kind: ScriptFailureKind;
  /** For `error` and `syntax`: the script's own message, e.g. `TypeError: x is undefined`. */
  message: string;
  /** The line of the user's source (1-based) where it failed, when known. */
  line?: number;
  /** For `timeout` (ms) and `memory` (MiB): the limit that was hit. */
  limit?: number;
}

export type ScriptOutcome =
  | { ok: true; value: unknown; logs: string[] }
  | { ok: false; failure: ScriptFailure; logs: string[] };

/** What nodes are handed (`ports.sandbox`). */
export interface ScriptRunner {
  /** Never rejects: every failure is an outcome. */
  run(request: ScriptRequest): Promise<ScriptOutcome>;
}

export interface Sandbox extends ScriptRunner {
  /** Stops every worker; runs still in flight end `cancelled`, later ones `unavailable`. */
  close(): Promise<void>;
}

/** QuickJS's WebAssembly build starts with 16 MiB of linear memory and cannot be given less. */
export const MIN_MEMORY_LIMIT_MB = 16;
