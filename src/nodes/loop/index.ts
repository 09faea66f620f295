import { Type } from '@sinclair/typebox';
import { defineNode, type Problem } from '../../engine/node-type.js';

/** Each iteration records a job per node: a cap keeps one request from writing millions of rows. */
export const MAX_LOOP_ITEMS = 10_000;

export const LoopConfig = Type.Object({
  /** Usually a template giving an array, e.g. `"{{ $context.data.items }}"`. */
  over: Type.Array(Type.Unknown(), { maxItems: MAX_LOOP_ITEMS, hint: `must be a list (of at most ${MAX_LOOP_ITEMS} items)` }),
});

/**
 * Runs `do` once per item of `over`, in order, with `$item` and `$index`.
 * Output: `{ count }`. After the loop, `$nodes.<child>` is the list of that
 * child's outputs per iteration.
 */
export const loop = defineNode({
  type: 'loop',
  description: 'Runs the "do" nodes once per item of "over", in order, with $item and $index.',
  config: LoopConfig,
  children: { do: 'list' },
  check(fields): Problem[] {
    const body = (fields as { do?: unknown }).do;
    return body === undefined ? [{ path: 'do', message: 'is required: the nodes to run for each item' }] : [];
  },
  run: ({ config }) => ({ output: { count: config.over.length }, branch: 'do', iterate: config.over }),
  // The job's input is the evaluated config: the same items, not re-evaluated.
  replay: (job) => ({ branch: 'do', iterate: (job.input as { over: unknown[] }).over }),
});
