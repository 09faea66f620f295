import { ExpressionError } from './errors.js';
import { STRING_CHARS_PER_STEP, expressionLimits } from './limits.js';

/** The variables an expression sees: `$context`, `$nodes`, `$item`, … */
export type Scope = Record<string, unknown>;

/** The state of one `evaluate(scope)` call, shared by all its templates. */
export interface Ctx {
  readonly scope: Scope;
  steps: number;
  /** Arrow-function parameters, by the slot the compiler gave each name. */
  readonly locals: unknown[];
}

export function newCtx(scope: Scope): Ctx {
  return { scope, steps: 0, locals: [] };
}

const MAX_STEPS = expressionLimits.maxSteps;
const MAX_STRING = expressionLimits.maxStringLength;
const MAX_ARRAY = expressionLimits.maxArrayLength;

function budgetExceeded(): never {
  throw new ExpressionError(
    `the expression ran out of its budget of ${MAX_STEPS.toLocaleString('en-US')} steps (too many items or callbacks)`,
  );
}

/** Counts one unit of work. */
export function step(ctx: Ctx): void {
  if (++ctx.steps > MAX_STEPS) budgetExceeded();
}

/** Counts `units` of work at once (the cost of a built-in over its data). */
export function charge(ctx: Ctx, units: number): void {
  ctx.steps += units;
  if (ctx.steps > MAX_STEPS) budgetExceeded();
}

/** What touching a value costs a built-in: its elements or characters. */
export function sizeCost(value: unknown): number {
  if (typeof value === 'string') return Math.floor(value.length / STRING_CHARS_PER_STEP);
  if (Array.isArray(value)) return value.length;
  return 0;
}

export function checkStringLength(length: number, what = 'string'): void {
  if (length > MAX_STRING) {
    throw new ExpressionError(`the ${what} would be longer than ${MAX_STRING.toLocaleString('en-US')} characters`);
  }
}

export function checkArrayLength(length: number, what = 'array'): void {
  if (length > MAX_ARRAY) {
    throw new ExpressionError(`the ${what} would have more than ${MAX_ARRAY.toLocaleString('en-US')} items`);
  }
}

/**
 * A compiled arrow function. It is not a JavaScript function, so no host code
 * can ever call it: only our own array methods invoke it. Parameters live in
 * `ctx.locals` at fixed slots, which works because callbacks only run
 * synchronously inside the call that received them.
 */
export class Callback {
  constructor(
    private readonly body: (ctx: Ctx) => unknown,
    private readonly firstSlot: number,
    private readonly paramCount: number,
  ) {}

  invoke(ctx: Ctx, a: unknown, b?: unknown, c?: unknown): unknown {
    step(ctx);
    const { locals } = ctx;
    const n = this.paramCount;
    if (n > 0) locals[this.firstSlot] = a;
    if (n > 1) locals[this.firstSlot + 1] = b;
    if (n > 2) locals[this.firstSlot + 2] = c;
    return this.body(ctx);
  }
}

/** Reads a variable from the scope; only the scope's own keys exist. */
export function lookupVariable(scope: Scope, name: string): unknown {
  if (!Object.hasOwn(scope, name)) throw new ExpressionError(`unknown variable ${name}`);
  const value = scope[name];
  return typeof value === 'function' ? undefined : value;
}

export function lookupVariableOrUndefined(scope: Scope, name: string): unknown {
  return Object.hasOwn(scope, name) ? lookupVariable(scope, name) : undefined;
}

/** A computed key (`a[k]`) as JavaScript would use it, refusing objects. */
export function toPropertyKey(key: unknown): string | number {
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 ? key : String(key);
  if (key === null || key === undefined || typeof key === 'boolean') return String(key);
  throw new ExpressionError(`a property name must be a string or a number, not ${describeType(key)}`);
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,15})$/;

/**
 * Member access. Missing and null values give `undefined`. Only OWN
 * properties of the value are visible: nothing is ever read from a prototype,
 * so `constructor`, `__proto__` or `toString` resolve to `undefined` unless the
 * data itself has such a key. Functions never come out as values.
 */
export function getMember(target: unknown, key: string | number): unknown {
  if (target === null || target === undefined) return undefined;
  if (typeof target === 'string') {
    if (key === 'length') return target.length;
    const index = typeof key === 'number' ? key : ARRAY_INDEX.test(key) ? Number(key) : Number.NaN;
    return index < target.length ? target[index] : undefined;
  }
  if (typeof target !== 'object') return undefined;
  if (!Object.hasOwn(target, key)) return undefined;
  const value = (target as Record<string | number, unknown>)[key];
  return typeof value === 'function' ? undefined : value;
}

/** Writes a key on an object we created, so `__proto__` stays a plain key. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value instanceof Callback) return 'an arrow function';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}
