import { toNumber, toText } from './convert.js';
import { type Ctx, charge, checkStringLength, sizeCost } from './runtime.js';

/** A built-in method on a value of type `T`; arguments arrive evaluated. */
export type Method<T> = (ctx: Ctx, receiver: T, args: readonly unknown[]) => unknown;

/** A global helper such as `Math.max` or `$date`. */
export type Helper = (ctx: Ctx, args: readonly unknown[]) => unknown;

/** Argument `i` as text; a missing one gives `fallback` (JavaScript would say "undefined"). */
export function textArg(ctx: Ctx, args: readonly unknown[], i: number, fallback = 'undefined'): string {
  const value = args[i];
  return value === undefined ? fallback : toText(ctx, value);
}

/** Argument `i` as a number, or `undefined` when absent so the built-in applies its default. */
export function numberArg(ctx: Ctx, args: readonly unknown[], i: number): number | undefined {
  const value = args[i];
  return value === undefined ? undefined : toNumber(ctx, value);
}

/** Checks and pays for a string a built-in produced. */
export function producedText(ctx: Ctx, text: string): string {
  checkStringLength(text.length);
  charge(ctx, sizeCost(text));
  return text;
}

/** Pays for scanning a string or array. */
export function scanned<T>(ctx: Ctx, value: T): T {
  charge(ctx, sizeCost(value));
  return value;
}
