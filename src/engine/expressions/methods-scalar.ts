import { dateText } from './convert.js';
import { ExpressionError } from './errors.js';
import { type Method, numberArg, producedText, textArg } from './method.js';
import { builtinCosts } from './limits.js';
import { type Ctx, charge, describeType } from './runtime.js';

/**
 * Locale arguments for `toLocaleString` and friends: a language tag (or a
 * list of them) and a plain options object such as `{ timeZone: 'Asia/Shanghai' }`
 * or `{ style: 'currency', currency: 'EUR' }`. Intl only reads the options'
 * own data, so nothing of ours runs.
 */
function localeArgs(ctx: Ctx, args: readonly unknown[]): [string | string[] | undefined, Intl.DateTimeFormatOptions | undefined] {
  charge(ctx, builtinCosts.intlFormat);
  const [locales, options] = args;
  let tags: string | string[] | undefined;
  if (locales === undefined || locales === null) tags = undefined;
  else if (Array.isArray(locales)) tags = locales.map((tag, i) => textArg(ctx, locales, i));
  else tags = textArg(ctx, args, 0);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ExpressionError(`locale options must be an object, not ${describeType(options)}`);
  }
  return [tags, options as Intl.DateTimeFormatOptions | undefined];
}

export const numberMethods = new Map<string, Method<number>>([
  ['toFixed', (ctx, n, a) => n.toFixed(numberArg(ctx, a, 0))],
  ['toPrecision', (ctx, n, a) => n.toPrecision(numberArg(ctx, a, 0))],
  ['toString', (ctx, n, a) => n.toString(numberArg(ctx, a, 0))],
  [
    'toLocaleString',
    (ctx, n, a) => producedText(ctx, n.toLocaleString(...(localeArgs(ctx, a) as [string, Intl.NumberFormatOptions]))),
  ],
  ['valueOf', (_ctx, n) => n],
]);

export const booleanMethods = new Map<string, Method<boolean>>([
  ['toString', (_ctx, b) => String(b)],
  ['valueOf', (_ctx, b) => b],
]);

const dateGetters = [
  'getTime',
  'getFullYear',
  'getMonth',
  'getDate',
  'getDay',
  'getHours',
  'getMinutes',
  'getSeconds',
  'getMilliseconds',
  'getUTCFullYear',
  'getUTCMonth',
  'getUTCDate',
  'getUTCDay',
  'getUTCHours',
  'getUTCMinutes',
  'getUTCSeconds',
  'getUTCMilliseconds',
  'getTimezoneOffset',
  'valueOf',
] as const;

function validDate(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new ExpressionError('the date is not valid');
  return date;
}

/** Read-only date methods; the setters are left out, dates are never changed. */
export const dateMethods = new Map<string, Method<Date>>([
  ...dateGetters.map((name): [string, Method<Date>] => [name, (_ctx, d) => d[name]()]),
  ['toISOString', (ctx, d) => (charge(ctx, builtinCosts.date), validDate(d).toISOString())],
  ['toJSON', (ctx, d) => (charge(ctx, builtinCosts.date), validDate(d).toISOString())],
  ['toString', (ctx, d) => (charge(ctx, builtinCosts.date), dateText(d))],
  ['toLocaleString', (ctx, d, a) => producedText(ctx, d.toLocaleString(...localeArgs(ctx, a)))],
  ['toLocaleDateString', (ctx, d, a) => producedText(ctx, d.toLocaleDateString(...localeArgs(ctx, a)))],
  ['toLocaleTimeString', (ctx, d, a) => producedText(ctx, d.toLocaleTimeString(...localeArgs(ctx, a)))],
]);
