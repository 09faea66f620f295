import { toNumber, toPrimitive } from './convert.js';
import { type Ctx, checkStringLength } from './runtime.js';

type Binary = (ctx: Ctx, a: unknown, b: unknown) => unknown;
type Unary = (ctx: Ctx, a: unknown) => unknown;

/*
 * Operators follow JavaScript, except that objects are turned into primitives
 * by our own safe conversions (dates by their time or ISO text, arrays by a
 * size-checked join) instead of by calling their methods.
 */

function plus(ctx: Ctx, a: unknown, b: unknown): unknown {
  const pa = toPrimitive(ctx, a, 'default');
  const pb = toPrimitive(ctx, b, 'default');
  if (typeof pa === 'string' || typeof pb === 'string') {
    const sa = String(pa);
    const sb = String(pb);
    checkStringLength(sa.length + sb.length);
    return sa + sb;
  }
  return (pa as number) + (pb as number);
}

function looseEquals(ctx: Ctx, a: unknown, b: unknown): boolean {
  const aObject = typeof a === 'object' && a !== null;
  const bObject = typeof b === 'object' && b !== null;
  if (aObject === bObject) return a == b; // `==` is the operator the author wrote
  return (aObject ? toPrimitive(ctx, a, 'default') : a) == (bObject ? toPrimitive(ctx, b, 'default') : b);
}

const compare =
  (test: (a: number, b: number) => boolean): Binary =>
  (ctx, a, b) =>
    test(toPrimitive(ctx, a, 'number') as number, toPrimitive(ctx, b, 'number') as number);

const arithmetic =
  (fn: (a: number, b: number) => number): Binary =>
  (ctx, a, b) =>
    fn(toNumber(ctx, a), toNumber(ctx, b));

/** Binary operators other than `&&`, `||` and `??`, which short-circuit. */
export const binaryOperators = new Map<string, Binary>([
  ['===', (_ctx, a, b) => a === b],
  ['!==', (_ctx, a, b) => a !== b],
  ['==', looseEquals],
  ['!=', (ctx, a, b) => !looseEquals(ctx, a, b)],
  // Relational operators compare strings as strings, like JavaScript does.
  ['<', compare((a, b) => a < b)],
  ['>', compare((a, b) => a > b)],
  ['<=', compare((a, b) => a <= b)],
  ['>=', compare((a, b) => a >= b)],
  ['+', plus],
  ['-', arithmetic((a, b) => a - b)],
  ['*', arithmetic((a, b) => a * b)],
  ['/', arithmetic((a, b) => a / b)],
  ['%', arithmetic((a, b) => a % b)],
  ['**', arithmetic((a, b) => a ** b)],
  ['|', arithmetic((a, b) => a | b)],
  ['&', arithmetic((a, b) => a & b)],
  ['^', arithmetic((a, b) => a ^ b)],
  ['<<', arithmetic((a, b) => a << b)],
  ['>>', arithmetic((a, b) => a >> b)],
  ['>>>', arithmetic((a, b) => a >>> b)],
]);

export const unaryOperators = new Map<string, Unary>([
  ['!', (_ctx, a) => !a],
  ['-', (ctx, a) => -toNumber(ctx, a)],
  ['+', (ctx, a) => toNumber(ctx, a)],
  ['~', (ctx, a) => ~toNumber(ctx, a)],
  ['typeof', (_ctx, a) => typeof a],
]);
