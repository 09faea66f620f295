import { Type } from '@sinclair/typebox';
import { defineNode, type Problem } from '../../engine/node-type.js';

export const ParallelConfig = Type.Object({});

/**
 * Runs every list in `branches` at once (each list in order) and waits for
 * all. A branch failing with `onError: stop` fails the run once every branch
 * has settled. Output: `{}`.
 */
export const parallel = defineNode({
  type: 'parallel',
  description: 'Runs each list of nodes in "branches" concurrently and waits for all of them.',
  config: ParallelConfig,
  children: { branches: 'lists' },
  check(fields): Problem[] {
    const branches = (fields as { branches?: unknown }).branches;
    return branches === undefined ? [{ path: 'branches', message: 'is required: a list of node lists, e.g. [[nodeA], [nodeB]]' }] : [];
  },
  run: () => ({ output: {}, branch: 'branches' }),
});
