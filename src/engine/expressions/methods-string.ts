import { ExpressionError } from './errors.js';
import { builtinCosts, expressionLimits } from './limits.js';
import { type Method, numberArg, producedText, scanned, textArg } from './method.js';
import { charge, checkArrayLength, checkStringLength } from './runtime.js';

const MAX_ARRAY = expressionLimits.maxArrayLength;

/**
 * `replace` and `replaceAll` insert the replacement literally: `$&`, `$'` and
 * friends are not special. Data such as a price "$5" goes in as written, and a
 * replacement cannot multiply the input (`$'` repeats the rest of the string).
 */
function replaceFirst(text: string, pattern: string, replacement: string): string {
  const at = text.indexOf(pattern);
  if (at < 0) return text;
  checkStringLength(text.length - pattern.length + replacement.length);
  return text.slice(0, at) + replacement + text.slice(at + pattern.length);
}

function replaceEvery(text: string, pattern: string, replacement: string): string {
  if (pattern === '') {
    // JavaScript matches the empty pattern before every code unit and at the end.
    checkStringLength(text.length + (text.length + 1) * replacement.length);
    return text === '' ? replacement : replacement + text.split('').join(replacement) + replacement;
  }
  const pieces = text.split(pattern);
  checkStringLength(text.length + (pieces.length - 1) * (replacement.length - pattern.length));
  return pieces.join(replacement);
}

function pad(text: string, target: number | undefined, fill: string, atStart: boolean): string {
  const length = Math.trunc(target ?? 0) || 0;
  if (length <= text.length || fill === '') return text;
  checkStringLength(length);
  return atStart ? text.padStart(length, fill) : text.padEnd(length, fill);
}

/** Methods on strings; none of them changes the string it is called on. */
export const stringMethods = new Map<string, Method<string>>([
  ['toUpperCase', (ctx, s) => producedText(ctx, s.toUpperCase())],
  ['toLowerCase', (ctx, s) => producedText(ctx, s.toLowerCase())],
  ['trim', (ctx, s) => producedText(ctx, s.trim())],
  ['trimStart', (ctx, s) => producedText(ctx, s.trimStart())],
  ['trimEnd', (ctx, s) => producedText(ctx, s.trimEnd())],
  ['normalize', (ctx, s, a) => producedText(ctx, s.normalize(a[0] === undefined ? undefined : textArg(ctx, a, 0)))],
  ['startsWith', (ctx, s, a) => s.startsWith(textArg(ctx, a, 0), numberArg(ctx, a, 1))],
  ['endsWith', (ctx, s, a) => s.endsWith(textArg(ctx, a, 0), numberArg(ctx, a, 1))],
  ['includes', (ctx, s, a) => scanned(ctx, s).includes(textArg(ctx, a, 0), numberArg(ctx, a, 1))],
  ['indexOf', (ctx, s, a) => scanned(ctx, s).indexOf(textArg(ctx, a, 0), numberArg(ctx, a, 1))],
  [
    'lastIndexOf',
    (ctx, s, a) =>
      a.length < 2
        ? scanned(ctx, s).lastIndexOf(textArg(ctx, a, 0))
        : scanned(ctx, s).lastIndexOf(textArg(ctx, a, 0), numberArg(ctx, a, 1)),
  ],
  ['slice', (ctx, s, a) => producedText(ctx, s.slice(numberArg(ctx, a, 0), numberArg(ctx, a, 1)))],
  ['substring', (ctx, s, a) => producedText(ctx, s.substring(numberArg(ctx, a, 0) ?? 0, numberArg(ctx, a, 1)))],
  ['charAt', (ctx, s, a) => s.charAt(numberArg(ctx, a, 0) ?? 0)],
  ['charCodeAt', (ctx, s, a) => s.charCodeAt(numberArg(ctx, a, 0) ?? 0)],
  ['codePointAt', (ctx, s, a) => s.codePointAt(numberArg(ctx, a, 0) ?? 0)],
  ['at', (ctx, s, a) => s.at(numberArg(ctx, a, 0) ?? 0)],
  [
    'split',
    (ctx, s, a) => {
      if (a[0] === undefined) return [s];
      const limit = a[1] === undefined ? MAX_ARRAY + 1 : Math.min((numberArg(ctx, a, 1) ?? 0) >>> 0, MAX_ARRAY + 1);
      const parts = scanned(ctx, s).split(textArg(ctx, a, 0), limit);
      checkArrayLength(parts.length);
      charge(ctx, parts.length);
      return parts;
    },
  ],
  ['replace', (ctx, s, a) => producedText(ctx, replaceFirst(scanned(ctx, s), textArg(ctx, a, 0), textArg(ctx, a, 1)))],
  ['replaceAll', (ctx, s, a) => producedText(ctx, replaceEvery(scanned(ctx, s), textArg(ctx, a, 0), textArg(ctx, a, 1)))],
  ['padStart', (ctx, s, a) => producedText(ctx, pad(s, numberArg(ctx, a, 0), textArg(ctx, a, 1, ' '), true))],
  ['padEnd', (ctx, s, a) => producedText(ctx, pad(s, numberArg(ctx, a, 0), textArg(ctx, a, 1, ' '), false))],
  [
    'repeat',
    (ctx, s, a) => {
      const count = Math.trunc(numberArg(ctx, a, 0) ?? 0) || 0;
      if (count < 0 || count === Number.POSITIVE_INFINITY) {
        throw new ExpressionError('repeat() needs a count of 0 or more');
      }
      if (s === '' || count === 0) return '';
      checkStringLength(s.length * count);
      return producedText(ctx, s.repeat(count));
    },
  ],
  [
    'concat',
    (ctx, s, a) => {
      const parts = a.map((_, i) => textArg(ctx, a, i));
      checkStringLength(parts.reduce((n, p) => n + p.length, s.length));
      return producedText(ctx, s.concat(...parts));
    },
  ],
  [
    'localeCompare',
    (ctx, s, a) => (charge(ctx, builtinCosts.localeCompare), scanned(ctx, s).localeCompare(textArg(ctx, a, 0))),
  ],
  ['toString', (_ctx, s) => s],
  ['valueOf', (_ctx, s) => s],
]);
