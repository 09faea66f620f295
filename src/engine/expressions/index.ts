/**
 * The expression language of workflow definitions: `{{ expr }}` templates
 * over a safe JavaScript subset, parsed once with jsep and run by our own
 * interpreter over an allow-list (never eval, Function or node:vm).
 * User documentation: docs/expressions.md.
 */
export { type CompiledValue, compileExpression, compileValue } from './compile-value.js';
export { ExpressionError, ExpressionSyntaxError } from './errors.js';
export type { Scope } from './runtime.js';
export { containsTemplate } from './template.js';
