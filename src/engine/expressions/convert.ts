import { ExpressionError } from './errors.js';
import { builtinCosts, expressionLimits } from './limits.js';
import { Callback, type Ctx, charge, checkStringLength, sizeCost, step } from './runtime.js';

/*
 * Conversions between values, written so that no conversion can run host code
 * or build an unbounded string. JavaScript would call `toString`/`valueOf`/
 * `toJSON` on objects and join arrays natively; we do it ourselves, counting
 * steps and checking sizes as we go.
 */

const MAX_DEPTH = expressionLimits.maxDataDepth;
const MAX_STRING = expressionLimits.maxStringLength;

function tooDeep(): never {
  throw new ExpressionError('the data is nested too deeply');
}

function noCallback(): never {
  throw new ExpressionError('an arrow function can only be passed to an array method such as map()');
}

/** A date as text, paid for (printing a date costs about 1 µs). */
function pricedDateText(ctx: Ctx, date: Date): string {
  charge(ctx, builtinCosts.date);
  return dateText(date);
}

/** A date as text: its ISO form (not JavaScript's long local form). */
export function dateText(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

/** `String(value)` made safe. Dates give ISO text, plain objects `[object Object]`. */
export function toText(ctx: Ctx, value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return joinArray(ctx, value, ',');
      if (value instanceof Date) return pricedDateText(ctx, value);
      if (value instanceof Callback) noCallback();
      return '[object Object]';
    default:
      return '';
  }
}

/** `Array.prototype.join` with the result size checked before it is built. */
export function joinArray(ctx: Ctx, array: readonly unknown[], separator: string, depth = 0): string {
  if (depth > MAX_DEPTH) tooDeep();
  charge(ctx, array.length);
  let total = separator.length * Math.max(0, array.length - 1);
  checkStringLength(total);
  const parts = new Array<string>(array.length);
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const text =
      item === null || item === undefined
        ? ''
        : Array.isArray(item)
          ? joinArray(ctx, item, ',', depth + 1)
          : toText(ctx, item);
    total += text.length;
    if (total > MAX_STRING) checkStringLength(total);
    parts[i] = text;
  }
  return parts.join(separator);
}

/** `Number(value)` made safe: dates give epoch milliseconds. */
export function toNumber(ctx: Ctx, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null) {
    if (value instanceof Date) return value.getTime();
    if (Array.isArray(value)) return Number(joinArray(ctx, value, ','));
    if (value instanceof Callback) noCallback();
    return Number.NaN;
  }
  if (typeof value === 'string') charge(ctx, sizeCost(value));
  return Number(value);
}

/** JavaScript's ToPrimitive, for operators, without calling methods on data. */
export function toPrimitive(ctx: Ctx, value: unknown, hint: 'number' | 'default'): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return hint === 'number' ? value.getTime() : pricedDateText(ctx, value);
  return toText(ctx, value);
}

/** How `{{ }}` inside a longer string shows a value. */
export function interpolationText(ctx: Ctx, value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'undefined':
      return '';
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) return '';
      if (value instanceof Date) return pricedDateText(ctx, value);
      return toJsonText(ctx, value) ?? '';
    default:
      return '';
  }
}

interface JsonEstimate {
  readonly ctx: Ctx;
  /** Characters of indentation per level (0 to 10, as JSON.stringify clamps it). */
  readonly gap: number;
  total: number;
}

function addJson(state: JsonEstimate, chars: number): void {
  state.total += chars;
  if (state.total > MAX_STRING) checkStringLength(state.total, 'JSON text');
}

/** Walks the value as JSON.stringify will, adding up (an upper bound of) the output length. */
function estimateJson(state: JsonEstimate, node: unknown, depth: number): void {
  step(state.ctx);
  if (depth > MAX_DEPTH) tooDeep();
  switch (typeof node) {
    case 'string':
      charge(state.ctx, sizeCost(node));
      return addJson(state, node.length + 2);
    case 'number':
    case 'boolean':
      return addJson(state, 24);
    case 'bigint':
      throw new ExpressionError('a bigint cannot be converted to JSON');
    case 'object': {
      if (node === null) return addJson(state, 4);
      if (node instanceof Date) {
        charge(state.ctx, builtinCosts.date);
        return addJson(state, 26);
      }
      if (node instanceof Callback) noCallback();
      const lineCost = state.gap === 0 ? 0 : 1 + state.gap * (depth + 1);
      if (Array.isArray(node)) {
        addJson(state, 2 + node.length * (1 + lineCost));
        for (const item of node) estimateJson(state, item, depth + 1);
        return;
      }
      addJson(state, 2);
      for (const key of Object.keys(node)) {
        addJson(state, key.length + 4 + lineCost);
        estimateJson(state, (node as Record<string, unknown>)[key], depth + 1);
      }
      return;
    }
    default:
      return addJson(state, 4);
  }
}

/**
 * `JSON.stringify` with the output size estimated (and counted as steps)
 * before anything is built: an array holding the same large string many times
 * would otherwise turn into gigabytes of text.
 */
export function toJsonText(ctx: Ctx, value: unknown, indent?: unknown): string | undefined {
  const gap =
    typeof indent === 'number'
      ? Math.max(0, Math.min(10, Math.floor(indent)))
      : typeof indent === 'string'
        ? Math.min(10, indent.length)
        : 0;
  estimateJson({ ctx, gap, total: 0 }, value, 0);
  const text = gap === 0 ? JSON.stringify(value) : JSON.stringify(value, null, indent as string | number);
  if (text !== undefined) {
    checkStringLength(text.length, 'JSON text');
    charge(ctx, sizeCost(text));
  }
  return text;
}
