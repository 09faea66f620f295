import { Type } from '@sinclair/typebox';
import { containsTemplate } from '../../engine/expressions/index.js';
import { defineNode, type Problem } from '../../engine/node-type.js';

export const ConditionConfig = Type.Object({
  /** Usually a template such as `"{{ $nodes.branch.name === 'main' }}"`; its truthiness picks the branch. */
  if: Type.Unknown(),
});

/** Runs `then` when `if` is truthy, else `else`. Output: `{ result: boolean }`. */
export const condition = defineNode({
  type: 'condition',
  description: 'Runs the "then" nodes when "if" is true, the "else" nodes otherwise.',
  config: ConditionConfig,
  children: { then: 'list', else: 'list' },
  check(fields): Problem[] {
    const value = fields.if;
    // A plain string is always truthy: almost certainly a forgotten {{ }}.
    if (typeof value === 'string' && !containsTemplate(value)) {
      return [{ path: 'if', message: `must be an expression in {{ }}, e.g. "{{ ${value || '$context.data.ok'} }}", or true/false` }];
    }
    return [];
  },
  run({ config }) {
    const result = Boolean(config.if);
    return { output: { result }, branch: result ? 'then' : 'else' };
  },
});
