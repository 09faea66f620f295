import { toJsonText, toNumber, toText } from './convert.js';
import { DEFAULT_DATE_PATTERN, formatDate, toDate } from './dates.js';
import { ExpressionError } from './errors.js';
import { builtinCosts, expressionLimits } from './limits.js';
import { type Helper, numberArg, producedText, scanned, textArg } from './method.js';
import { type Ctx, charge, checkArrayLength, describeType, setOwn, toPropertyKey } from './runtime.js';

/** Names that are read as `Name.member`, never as values. */
export const NAMESPACES: ReadonlySet<string> = new Set(['Math', 'JSON', 'Object', 'Array', 'Date', 'Number']);

const numbers = (ctx: Ctx, args: readonly unknown[]): number[] => args.map((value) => toNumber(ctx, value));

const mathFunctions = [
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'cbrt', 'ceil', 'cos', 'cosh', 'exp', 'expm1',
  'floor', 'fround', 'hypot', 'log', 'log10', 'log1p', 'log2', 'max', 'min', 'pow', 'random', 'round', 'sign', 'sin',
  'sinh', 'sqrt', 'tan', 'tanh', 'trunc',
] as const;

function objectArg(ctx: Ctx, name: string, value: unknown): object {
  if (typeof value !== 'object' || value === null) {
    throw new ExpressionError(`${name}() needs an object or an array, not ${describeType(value)}`);
  }
  if (Array.isArray(value)) charge(ctx, value.length);
  return value;
}

/** Host objects may hold methods; those never come out as values. */
const noFunction = (value: unknown): unknown => (typeof value === 'function' ? undefined : value);

function fromEntries(ctx: Ctx, entries: unknown): Record<string, unknown> {
  if (!Array.isArray(entries)) throw new ExpressionError(`Object.fromEntries() needs an array of [key, value] pairs, not ${describeType(entries)}`);
  charge(ctx, entries.length);
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    if (!Array.isArray(entry)) throw new ExpressionError('Object.fromEntries() needs [key, value] pairs');
    setOwn(out, String(toPropertyKey(entry[0])), entry[1]);
  }
  return out;
}

function encode(ctx: Ctx, args: readonly unknown[], fn: (s: string) => string): string {
  const text = textArg(ctx, args, 0);
  // One UTF-16 unit becomes at most nine characters (%XX%XX%XX).
  if (text.length * 9 > expressionLimits.maxStringLength) {
    throw new ExpressionError('the text is too long to encode');
  }
  return producedText(ctx, fn(scanned(ctx, text)));
}

function parseJson(ctx: Ctx, args: readonly unknown[]): unknown {
  if (args[1] !== undefined) throw new ExpressionError('JSON.parse() takes no reviver here');
  const text = scanned(ctx, textArg(ctx, args, 0));
  try {
    return JSON.parse(text);
  } catch (err) {
    // The engine's message quotes the text, which may hold a secret.
    throw new ExpressionError('JSON.parse(): the text is not valid JSON', { cause: err });
  }
}

function stringifyJson(ctx: Ctx, args: readonly unknown[]): string | undefined {
  if (args[1] !== undefined && args[1] !== null) throw new ExpressionError('JSON.stringify() takes no replacer here; pass null');
  return toJsonText(ctx, args[0], args[2]);
}

function formatDateHelper(ctx: Ctx, args: readonly unknown[]): string {
  const timeZone = textArg(ctx, args, 2, 'UTC');
  charge(ctx, timeZone === 'UTC' ? builtinCosts.date : builtinCosts.zonedDate);
  const pattern = textArg(ctx, args, 1, DEFAULT_DATE_PATTERN);
  return producedText(ctx, formatDate(toDate([args[0]]), scanned(ctx, pattern), timeZone));
}

/**
 * Global helpers, by the name they are called with. `$`-prefixed names are
 * ours; the rest behave like the JavaScript functions of the same name.
 */
export const helperFunctions = new Map<string, Helper>([
  ['String', (ctx, a) => (a.length === 0 ? '' : toText(ctx, a[0]))],
  ['Number', (ctx, a) => (a.length === 0 ? 0 : toNumber(ctx, a[0]))],
  ['Boolean', (_ctx, a) => Boolean(a[0])],
  ['parseInt', (ctx, a) => Number.parseInt(scanned(ctx, textArg(ctx, a, 0)), numberArg(ctx, a, 1))],
  ['parseFloat', (ctx, a) => Number.parseFloat(scanned(ctx, textArg(ctx, a, 0)))],
  ['isNaN', (ctx, a) => Number.isNaN(toNumber(ctx, a[0]))],
  ['isFinite', (ctx, a) => Number.isFinite(toNumber(ctx, a[0]))],
  ['encodeURIComponent', (ctx, a) => encode(ctx, a, encodeURIComponent)],
  ['encodeURI', (ctx, a) => encode(ctx, a, encodeURI)],
  ['decodeURIComponent', (ctx, a) => decodeURIComponent(scanned(ctx, textArg(ctx, a, 0)))],
  ['decodeURI', (ctx, a) => decodeURI(scanned(ctx, textArg(ctx, a, 0)))],
  ['$now', (ctx) => (charge(ctx, builtinCosts.date), new Date().toISOString())],
  ['$date', (ctx, a) => (charge(ctx, builtinCosts.date), toDate(a))],
  ['$formatDate', formatDateHelper],
  ...mathFunctions.map((name): [string, Helper] => [
    `Math.${name}`,
    (ctx, a) => (Math[name] as (...n: number[]) => number)(...numbers(ctx, a)),
  ]),
  ['JSON.parse', parseJson],
  ['JSON.stringify', stringifyJson],
  [
    'Object.keys',
    (ctx, a) => {
      const keys = Object.keys(objectArg(ctx, 'Object.keys', a[0]));
      charge(ctx, keys.length);
      return keys;
    },
  ],
  [
    'Object.values',
    (ctx, a) => {
      const values = Object.values(objectArg(ctx, 'Object.values', a[0])).map(noFunction);
      charge(ctx, values.length);
      return values;
    },
  ],
  [
    'Object.entries',
    (ctx, a) => {
      const entries = Object.entries(objectArg(ctx, 'Object.entries', a[0])).map(([k, v]) => [k, noFunction(v)]);
      charge(ctx, entries.length);
      checkArrayLength(entries.length);
      return entries;
    },
  ],
  ['Object.fromEntries', (ctx, a) => fromEntries(ctx, a[0])],
  ['Array.isArray', (_ctx, a) => Array.isArray(a[0])],
  ['Date.now', () => Date.now()],
  ['Date.parse', (ctx, a) => (charge(ctx, builtinCosts.date), Date.parse(scanned(ctx, textArg(ctx, a, 0))))],
  ['Number.isInteger', (_ctx, a) => Number.isInteger(a[0])],
  ['Number.isSafeInteger', (_ctx, a) => Number.isSafeInteger(a[0])],
  ['Number.isFinite', (_ctx, a) => Number.isFinite(a[0])],
  ['Number.isNaN', (_ctx, a) => Number.isNaN(a[0])],
  ['Number.parseFloat', (ctx, a) => Number.parseFloat(scanned(ctx, textArg(ctx, a, 0)))],
  ['Number.parseInt', (ctx, a) => Number.parseInt(scanned(ctx, textArg(ctx, a, 0)), numberArg(ctx, a, 1))],
]);

/** Constants read as `Namespace.NAME`. */
export const helperConstants = new Map<string, unknown>([
  ...(['E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2'] as const).map((name): [string, unknown] => [
    `Math.${name}`,
    Math[name],
  ]),
  ...(
    ['MAX_SAFE_INTEGER', 'MIN_SAFE_INTEGER', 'MAX_VALUE', 'MIN_VALUE', 'EPSILON', 'POSITIVE_INFINITY', 'NEGATIVE_INFINITY', 'NaN'] as const
  ).map((name): [string, unknown] => [`Number.${name}`, Number[name]]),
]);

/** Values written as bare names. */
export const globalConstants = new Map<string, unknown>([
  ['undefined', undefined],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
]);
