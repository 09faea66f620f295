import { joinArray, toNumber, toText } from './convert.js';
import { ExpressionError } from './errors.js';
import { expressionLimits } from './limits.js';
import { type Method, numberArg, textArg } from './method.js';
import { Callback, type Ctx, charge, checkArrayLength, step } from './runtime.js';

type List = readonly unknown[];

/** Array methods that take an arrow function as their first argument. */
export const CALLBACK_METHODS: ReadonlySet<string> = new Set([
  'map',
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'some',
  'every',
  'flatMap',
  'reduce',
  'reduceRight',
  'sort',
  'toSorted',
]);

function callbackArg(name: string, value: unknown): Callback {
  if (value instanceof Callback) return value;
  throw new ExpressionError(`${name}() needs an arrow function, as in ${name}(x => x.id)`);
}

function flatten(ctx: Ctx, list: List, depth: number, out: unknown[], level: number): void {
  if (level > expressionLimits.maxDataDepth) throw new ExpressionError('the data is nested too deeply');
  charge(ctx, list.length);
  for (const item of list) {
    if (Array.isArray(item) && depth >= 1) {
      flatten(ctx, item, depth - 1, out, level + 1);
    } else {
      out.push(item);
      if (out.length > expressionLimits.maxArrayLength) checkArrayLength(out.length);
    }
  }
}

function reduce(ctx: Ctx, list: List, args: List, fromEnd: boolean): unknown {
  const name = fromEnd ? 'reduceRight' : 'reduce';
  const callback = callbackArg(name, args[0]);
  const n = list.length;
  let i = fromEnd ? n - 1 : 0;
  const stride = fromEnd ? -1 : 1;
  let acc: unknown;
  if (args.length >= 2) {
    acc = args[1];
  } else {
    if (n === 0) throw new ExpressionError(`${name}() of an empty array needs a starting value`);
    acc = list[i];
    i += stride;
  }
  // Arrow functions take at most three parameters, so the reducer gets
  // (accumulator, item, index) but not the array.
  for (; i >= 0 && i < n; i += stride) acc = callback.invoke(ctx, acc, list[i], i);
  return acc;
}

function sorted(ctx: Ctx, list: List, comparator: unknown): unknown[] {
  const copy = list.slice();
  charge(ctx, copy.length);
  if (comparator !== undefined) {
    const callback = callbackArg('sort', comparator);
    return copy.sort((a, b) => {
      const order = toNumber(ctx, callback.invoke(ctx, a, b));
      return Number.isNaN(order) ? 0 : order;
    });
  }
  // JavaScript's default order: by string form, undefined last. We compute
  // each string once (safely) instead of letting the engine call toString.
  const keyed = copy.map((value) => ({ value, key: value === undefined ? undefined : toText(ctx, value) }));
  keyed.sort((a, b) => {
    step(ctx);
    if (a.key === undefined) return b.key === undefined ? 0 : 1;
    if (b.key === undefined) return -1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  return keyed.map((entry) => entry.value);
}

function find(ctx: Ctx, list: List, args: List, name: string, fromEnd: boolean): number {
  const callback = callbackArg(name, args[0]);
  if (fromEnd) {
    for (let i = list.length - 1; i >= 0; i--) if (callback.invoke(ctx, list[i], i, list)) return i;
  } else {
    for (let i = 0; i < list.length; i++) if (callback.invoke(ctx, list[i], i, list)) return i;
  }
  return -1;
}

/**
 * Methods on arrays. None mutates its input: `sort` and `reverse` return
 * sorted or reversed copies (like `toSorted` and `toReversed`), because the
 * array may be request data that other nodes read afterwards.
 */
export const arrayMethods = new Map<string, Method<List>>([
  [
    'map',
    (ctx, list, a) => {
      const callback = callbackArg('map', a[0]);
      const out = new Array<unknown>(list.length);
      for (let i = 0; i < list.length; i++) out[i] = callback.invoke(ctx, list[i], i, list);
      return out;
    },
  ],
  [
    'filter',
    (ctx, list, a) => {
      const callback = callbackArg('filter', a[0]);
      const out: unknown[] = [];
      for (let i = 0; i < list.length; i++) if (callback.invoke(ctx, list[i], i, list)) out.push(list[i]);
      return out;
    },
  ],
  [
    'flatMap',
    (ctx, list, a) => {
      const callback = callbackArg('flatMap', a[0]);
      const out: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        const result = callback.invoke(ctx, list[i], i, list);
        if (Array.isArray(result)) {
          checkArrayLength(out.length + result.length);
          charge(ctx, result.length);
          for (const item of result) out.push(item);
        } else {
          out.push(result);
        }
      }
      return out;
    },
  ],
  ['find', (ctx, list, a) => list[find(ctx, list, a, 'find', false)]],
  ['findLast', (ctx, list, a) => list[find(ctx, list, a, 'findLast', true)]],
  ['findIndex', (ctx, list, a) => find(ctx, list, a, 'findIndex', false)],
  ['findLastIndex', (ctx, list, a) => find(ctx, list, a, 'findLastIndex', true)],
  ['some', (ctx, list, a) => find(ctx, list, a, 'some', false) >= 0],
  [
    'every',
    (ctx, list, a) => {
      const callback = callbackArg('every', a[0]);
      for (let i = 0; i < list.length; i++) if (!callback.invoke(ctx, list[i], i, list)) return false;
      return true;
    },
  ],
  ['reduce', (ctx, list, a) => reduce(ctx, list, a, false)],
  ['reduceRight', (ctx, list, a) => reduce(ctx, list, a, true)],
  ['sort', (ctx, list, a) => sorted(ctx, list, a[0])],
  ['toSorted', (ctx, list, a) => sorted(ctx, list, a[0])],
  ['reverse', (ctx, list) => (charge(ctx, list.length), list.slice().reverse())],
  ['toReversed', (ctx, list) => (charge(ctx, list.length), list.slice().reverse())],
  ['includes', (ctx, list, a) => (charge(ctx, list.length), list.includes(a[0], numberArg(ctx, a, 1)))],
  ['indexOf', (ctx, list, a) => (charge(ctx, list.length), list.indexOf(a[0], numberArg(ctx, a, 1)))],
  [
    'lastIndexOf',
    (ctx, list, a) => (
      charge(ctx, list.length),
      a.length < 2 ? list.lastIndexOf(a[0]) : list.lastIndexOf(a[0], numberArg(ctx, a, 1))
    ),
  ],
  ['join', (ctx, list, a) => joinArray(ctx, list, textArg(ctx, a, 0, ','))],
  ['toString', (ctx, list) => joinArray(ctx, list, ',')],
  [
    'slice',
    (ctx, list, a) => {
      const out = list.slice(numberArg(ctx, a, 0), numberArg(ctx, a, 1));
      charge(ctx, out.length);
      return out;
    },
  ],
  [
    'concat',
    (ctx, list, a) => {
      const total = a.reduce<number>((n, item) => n + (Array.isArray(item) ? item.length : 1), list.length);
      checkArrayLength(total);
      charge(ctx, total);
      return list.concat(...a);
    },
  ],
  [
    'flat',
    (ctx, list, a) => {
      const depth = a[0] === undefined ? 1 : toNumber(ctx, a[0]);
      const out: unknown[] = [];
      flatten(ctx, list, Number.isNaN(depth) ? 0 : depth, out, 0);
      return out;
    },
  ],
  ['at', (ctx, list, a) => list.at(numberArg(ctx, a, 0) ?? 0)],
]);
