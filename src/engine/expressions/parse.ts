import jsep from 'jsep';
import jsepArrow from '@jsep-plugin/arrow';
import jsepObject from '@jsep-plugin/object';
import jsepTemplate from '@jsep-plugin/template';
import { ExpressionSyntaxError } from './errors.js';
import { expressionLimits } from './limits.js';

export type Expression = jsep.Expression;

let configured = false;

/**
 * jsep keeps its operators and plugins in module-level state, so we configure
 * it once, on first use, rather than at import. The ternary plugin is built
 * into jsep 1.x (registered by default); `@jsep-plugin/ternary` is not needed.
 */
function configureJsep(): void {
  if (configured) return;
  jsep.plugins.register(jsepObject, jsepArrow, jsepTemplate);
  jsep.addUnaryOp('typeof');
  configured = true;
}

/**
 * Deepest `( [ {` nesting, skipping quoted text. Checked before parsing
 * because jsep parses recursively, and its arrow plugin re-walks the tree at
 * every level: `((((…))))` thousands deep costs seconds, then a stack overflow.
 */
function bracketDepth(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === '\\' ? 2 : 1;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth > max) max = depth;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
    }
  }
  return max;
}

interface JsepError extends Error {
  index?: number;
  description?: string;
}

function friendlier(description: string): string {
  if (description === 'Unexpected "="') return 'assignment is not allowed (compare with ===)';
  if (/^Unexpected\s*$/.test(description)) return 'the expression ends too early';
  return description;
}

/** Parses one bare expression (no `{{ }}`) into a jsep syntax tree. */
export function parseExpression(source: string): Expression {
  if (source.length > expressionLimits.maxSourceLength) {
    throw new ExpressionSyntaxError(
      `the expression is longer than ${expressionLimits.maxSourceLength.toLocaleString('en-US')} characters`,
    );
  }
  if (source.trim() === '') throw new ExpressionSyntaxError('the expression is empty');
  if (bracketDepth(source) > expressionLimits.maxNesting) {
    throw new ExpressionSyntaxError(`brackets are nested more than ${expressionLimits.maxNesting} deep`);
  }
  configureJsep();
  try {
    return jsep(source);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new ExpressionSyntaxError('the expression is nested too deeply', { cause: err });
    }
    const e = err as JsepError;
    const reason = e.description === undefined ? e.message : `${friendlier(e.description)} at character ${e.index ?? 0}`;
    throw new ExpressionSyntaxError(reason, { index: e.index, cause: err });
  }
}
