import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';
import { MIN_MEMORY_LIMIT_MB, type ScriptRunner } from '../../sandbox/sandbox.js';
import { scriptFailureError } from './script-failure.js';

declare module '../../engine/ports.js' {
  interface EnginePorts {
    /** Runs `code` nodes' JavaScript in isolation (`src/sandbox/`). */
    sandbox: ScriptRunner;
  }
}

export const CodeConfig = Type.Object({
  /** The body of an async function, as written (never a template). */
  source: Type.String({ minLength: 1 }),
  /**
   * The script's own time limit, in ms (default `HOOKFLOW_SANDBOX_TIME_LIMIT_MS`).
   * Not `timeoutMs`: that common field bounds the whole node, waiting for a free worker included.
   */
  timeLimitMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 300_000 })),
  /** The script's memory limit, in MiB (default `HOOKFLOW_SANDBOX_MEMORY_LIMIT_MB`). */
  memoryLimitMb: Type.Optional(Type.Integer({ minimum: MIN_MEMORY_LIMIT_MB, maximum: 1024 })),
});

/**
 * Runs the user's JavaScript through `ports.sandbox`. It sees `$context`
 * (also `context`), `$nodes`, `$item`/`$index` in a loop, and the helpers of
 * docs/sandbox.md; what it returns is the output, its `console.*` lines land
 * on the job.
 */
export const code = defineNode({
  type: 'code',
  description: 'Runs JavaScript (the body of an async function) in a sandbox with time and memory limits; its return value is the output.',
  config: CodeConfig,
  raw: ['source'],
  async run({ config, scope, signal, ports }) {
    const outcome = await ports.sandbox.run({
      source: config.source,
      globals: {
        $context: scope.$context,
        $nodes: (scope.$nodes ?? {}) as Record<string, unknown>,
        $item: scope.$item,
        $index: scope.$index as number | undefined,
      },
      timeLimitMs: config.timeLimitMs,
      memoryLimitMb: config.memoryLimitMb,
      signal,
    });
    if (!outcome.ok) throw scriptFailureError(outcome.failure, outcome.logs, signal);
    return { output: outcome.value, logs: outcome.logs };
  },
});
