import { Type } from '@sinclair/typebox';
import { defineNode } from '../../engine/node-type.js';

export const SetConfig = Type.Object({
  values: Type.Record(Type.String(), Type.Unknown()),
});

/** Names values for later nodes. Output: the evaluated `values` object. */
export const set = defineNode({
  type: 'set',
  description: 'Evaluates "values" and makes them the output, for later nodes to use as $nodes.<key>.<name>.',
  config: SetConfig,
  run: ({ config }) => ({ output: config.values }),
});
