/**
 * The expression evaluator against hostile sources and hostile data, with
 * fast-check: whatever the text, it compiles or throws ExpressionSyntaxError;
 * whatever the data, evaluating either returns plain data or throws an
 * ExpressionError; data is never evaluated; and over a small grammar the
 * results are exactly JavaScript's.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ExpressionError, ExpressionSyntaxError, type Scope, compileExpression, compileValue } from '../../src/engine/expressions/index.js';
import { HookflowError } from '../../src/shared/errors.js';

const SECRET = 'expr-secret-7c2e';

function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(functionPrototypeNames);
  expect(typeof Array.prototype.map).toBe('function');
}
const functionPrototypeNames = Object.getOwnPropertyNames(Function.prototype).sort();

afterEach(() => {
  expectNoPollution();
});

/** Results are data: primitives, arrays, plain objects and dates, never a function or a host object. */
function expectPlainData(value: unknown, depth = 0): void {
  if (depth > 50) return;
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw new Error(`an expression produced a ${typeof value}`);
    case 'object': {
      if (value === null || value instanceof Date) return;
      const proto = Object.getPrototypeOf(value);
      expect([Object.prototype, Array.prototype, null]).toContain(proto);
      for (const key of Object.keys(value)) expectPlainData((value as Record<string, unknown>)[key], depth + 1);
      return;
    }
    default:
      return;
  }
}

function makeScope(data: unknown): Scope {
  return {
    $context: { data, headers: { 'x-a': '1' }, query: {}, params: {}, method: 'POST', rawBody: '{}' },
    $nodes: { prev: { list: [1, 2, 3], text: 'abc' } },
    $secrets: { TOKEN: SECRET },
    $system: { executionId: 'ex-1', workflowId: 'wf-1', now: '2026-01-01T00:00:00.000Z' },
  };
}

type Outcome = { kind: 'syntax' } | { kind: 'value'; value: unknown } | { kind: 'runtime'; error: HookflowError };

/** Compiles and evaluates; anything thrown that is not one of the documented errors fails the test. */
function attempt(compile: () => { evaluate(scope: Scope): unknown }, scope: Scope): Outcome {
  let compiled: { evaluate(scope: Scope): unknown };
  try {
    compiled = compile();
  } catch (err) {
    if (!(err instanceof ExpressionSyntaxError)) throw new Error(`compiling threw ${String(err)}`, { cause: err });
    expect(err.message).not.toContain(SECRET);
    return { kind: 'syntax' };
  }
  try {
    const value = compiled.evaluate(scope);
    expectPlainData(value);
    return { kind: 'value', value };
  } catch (err) {
    if (!(err instanceof HookflowError)) throw new Error(`evaluating threw ${String(err)}`, { cause: err });
    // Expression errors never echo data values (which may hold secrets).
    expect(err.message).not.toContain(SECRET);
    return { kind: 'runtime', error: err };
  }
}

/** Tokens an attacker would reach for, plus the ordinary ones. */
const token = fc.constantFrom(
  '$context', '$nodes', '$secrets', '$system', '$item', '$index', '.', 'data', 'prev', 'list', 'TOKEN', '[', ']', '(', ')', '{', '}',
  '{{', '}}', "'", '"', '`', '${', ',', ':', '?', '?.', '=>', 'x', 'a', '+', '-', '*', '/', '%', '**', '<', '>', '===', '==', '!', '&&',
  '||', '??', '=', '+=', '++', ';', 'typeof', 'new', 'this', 'constructor', 'prototype', '__proto__', '__defineGetter__', 'toString',
  'valueOf', 'call', 'apply', 'bind', 'map', 'filter', 'reduce', 'join', 'repeat', 'padStart', 'split', 'length', 'Math', 'JSON',
  'parse', 'stringify', 'Object', 'keys', 'assign', 'defineProperty', 'Function', 'eval', 'process', 'globalThis', 'require', 'import',
  'Reflect', 'Proxy', 'Symbol', 'Array', 'from', 'fill', 'Date', 'now', 'String', 'fromCharCode', 'Number', 'MAX_VALUE', '1', '0',
  '1e9', '-1', 'null', 'undefined', 'NaN', 'Infinity', 'true', ' ', "'x'", '"__proto__"', '`t`', '/re/g', '\\', '\n', '#', '@',
);
const tokenSoup = fc.array(token, { maxLength: 24 }).map((tokens) => tokens.join(''));
const anyText = fc.oneof(
  fc.string({ maxLength: 80, unit: 'binary' }),
  tokenSoup,
  tokenSoup.map((s) => `{{ ${s} }}`),
  fc.tuple(fc.string({ maxLength: 10 }), tokenSoup, fc.string({ maxLength: 10 })).map(([a, s, b]) => `${a}{{${s}}}${b}`),
);
/** JSON data, with the strings an attacker would plant in it. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('{{ 1+1 }}', '{{ $secrets.TOKEN }}', '}}{{', '${1+1}', '__proto__', 'constructor', "'); process.exit(1); ('"),
);
const hostileData = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'length')), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

describe('any source text (fast-check)', () => {
  it('compileValue: compiles or throws ExpressionSyntaxError; evaluation returns plain data or throws an ExpressionError', () => {
    fc.assert(
      fc.property(anyText, hostileData, (text, data) => {
        const outcome = attempt(() => compileValue(text, 'nodes[0].values.x'), makeScope(data));
        if (outcome.kind === 'runtime') expect(outcome.error.code).toBe('expression_error');
        expectNoPollution();
      }),
      { numRuns: 500 },
    );
  });

  it('compileExpression: the same for bare expressions', () => {
    fc.assert(
      fc.property(tokenSoup, hostileData, (source, data) => {
        attempt(() => compileExpression(source), makeScope(data));
        expectNoPollution();
      }),
      { numRuns: 500 },
    );
  });

  it('reaches no global, constructor or prototype, whatever the spelling', () => {
    const escapes = [
      '{{ constructor }}', '{{ this }}', '{{ globalThis }}', '{{ process.env }}', '{{ require("fs") }}', '{{ Function("return 1")() }}',
      '{{ eval("1") }}', '{{ $context.constructor.constructor("return process")() }}', '{{ $context.data.__proto__ }}',
      "{{ $context['__proto__']['polluted'] }}", "{{ ''.constructor.fromCharCode(65) }}", '{{ [].map.constructor }}',
      '{{ $context.data.toString }}', '{{ (x => x).constructor }}', '{{ [1].map(x => x.constructor) }}', '{{ Math.constructor }}',
      '{{ JSON.constructor }}', '{{ Object.assign({}, {}) }}', '{{ Object.defineProperty({}, "a", {}) }}', '{{ Reflect.ownKeys({}) }}',
      '{{ `${constructor}` }}', '{{ $nodes.prev.list.constructor.prototype }}', '{{ new Date() }}', '{{ $context.data = 1 }}',
      '{{ $secrets.TOKEN.constructor }}', '{{ import("fs") }}', '{{ Symbol.iterator }}', '{{ $context.data.__defineGetter__ }}',
    ];
    for (const text of escapes) {
      const outcome = attempt(() => compileValue(text), makeScope({ a: 1 }));
      // Nothing comes out but `undefined` (a missing member), possibly inside an array.
      if (outcome.kind === 'value') expect([outcome.value].flat(), text).toEqual([undefined]);
    }
  });
});

describe('data is never evaluated (fast-check)', () => {
  it('a whole-value template hands back the data itself, and interpolation pastes strings verbatim', () => {
    const whole = compileValue('{{ $context.data }}');
    const interpolated = compileValue('before {{ $context.data.s }} after');
    const keyed = compileValue({ out: '{{ $context.data.s }}', list: ['{{ $context.data.s }}', 'x'] });
    fc.assert(
      fc.property(hostileData, hostileString, (data, s) => {
        expect(whole.evaluate(makeScope(data))).toBe(data);
        const scope = makeScope({ s });
        expect(interpolated.evaluate(scope)).toBe(`before ${s} after`);
        expect(keyed.evaluate(scope)).toEqual({ out: s, list: [s, 'x'] });
      }),
      { numRuns: 300 },
    );
  });

  it('JSON text built from data stays text, and data keys never become code', () => {
    const stringify = compileValue('{{ JSON.stringify($context.data) }}');
    const byKey = compileValue('{{ $context.data[$context.data.k] }}');
    fc.assert(
      fc.property(hostileData, hostileString, (data, k) => {
        const text = stringify.evaluate(makeScope(data));
        expect(text).toBe(JSON.stringify(data));
        const holder: Record<string, unknown> = JSON.parse(JSON.stringify({ k }));
        const got = byKey.evaluate(makeScope(holder));
        // Only own keys resolve: `__proto__`, `constructor` and `toString` are undefined unless the data has them.
        expect(got).toBe(Object.hasOwn(holder, k) ? holder[k] : undefined);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// Agreement with JavaScript over a small grammar: literals, arithmetic,
// comparison, logic and the ternary. Rendered fully parenthesized, and once
// more with only the parentheses precedence needs, to check the parser's
// precedence and associativity too.
// ---------------------------------------------------------------------------

type Ast =
  | { kind: 'lit'; source: string }
  | { kind: 'unary'; op: string; arg: Ast }
  | { kind: 'binary'; op: string; left: Ast; right: Ast }
  | { kind: 'cond'; test: Ast; then: Ast; else: Ast };

const literal = fc.oneof(
  fc.integer({ min: -50, max: 50 }).map(String),
  fc.constantFrom('0', '0.5', '2.25', '1e3', '1e21', '3', '7', '31', '32', "'a'", "'b'", "''", "'10'", "' 2 '", "'abc'", 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity'),
);

const BINARY = ['+', '-', '*', '/', '%', '**', '<', '>', '<=', '>=', '===', '!==', '==', '!=', '&&', '||', '??', '|', '&', '^', '<<', '>>', '>>>'];
const UNARY = ['-', '+', '!', '~', 'typeof '];

const ast: fc.Arbitrary<Ast> = fc.letrec<{ node: Ast }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal.map((source): Ast => ({ kind: 'lit', source })),
    fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(...UNARY), arg: tie('node') }),
    fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom(...BINARY), left: tie('node'), right: tie('node') }),
    fc.record({ kind: fc.constant('cond' as const), test: tie('node'), then: tie('node'), else: tie('node') }),
  ),
})).node;

function full(node: Ast): string {
  switch (node.kind) {
    case 'lit':
      return node.source.startsWith('-') ? `(${node.source})` : node.source;
    case 'unary':
      return `(${node.op}${full(node.arg)})`;
    case 'binary':
      return `(${full(node.left)} ${node.op} ${full(node.right)})`;
    case 'cond':
      return `(${full(node.test)} ? ${full(node.then)} : ${full(node.else)})`;
  }
}

// JavaScript's precedence, highest binds tightest; `**` is right-associative.
const PRECEDENCE: Record<string, number> = {
  '??': 1, '||': 2, '&&': 3, '|': 4, '^': 5, '&': 6, '==': 7, '!=': 7, '===': 7, '!==': 7, '<': 8, '>': 8, '<=': 8, '>=': 8,
  '<<': 9, '>>': 9, '>>>': 9, '+': 10, '-': 10, '*': 11, '/': 11, '%': 11, '**': 12,
};
const UNARY_PRECEDENCE = 13;

/** Parenthesizes only where JavaScript's precedence requires it (and around `??` mixed with `&&`/`||`, which JS forbids). */
function minimal(node: Ast): { text: string; prec: number } {
  switch (node.kind) {
    case 'lit':
      return { text: node.source, prec: node.source.startsWith('-') ? UNARY_PRECEDENCE : 20 };
    case 'unary': {
      const arg = minimal(node.arg);
      // `- -x` must keep its space; `-(x ** y)` needs its parentheses.
      const inner = arg.prec < UNARY_PRECEDENCE || (arg.prec === UNARY_PRECEDENCE && node.op !== 'typeof ') ? `(${arg.text})` : arg.text;
      return { text: `${node.op}${inner}`, prec: UNARY_PRECEDENCE };
    }
    case 'binary': {
      const p = PRECEDENCE[node.op]!;
      const left = minimal(node.left);
      const right = minimal(node.right);
      const mixesNullish = (side: Ast) => side.kind === 'binary' && (node.op === '??') !== (side.op === '??') && ['??', '&&', '||'].includes(side.op) && ['??', '&&', '||'].includes(node.op);
      const rightAssoc = node.op === '**';
      // `-2 ** 2` is a SyntaxError in JavaScript: a unary operand of ** is always parenthesized.
      const leftNeeds = left.prec < p || (rightAssoc && left.prec <= p) || (node.op === '**' && left.prec === UNARY_PRECEDENCE) || mixesNullish(node.left);
      const rightNeeds = right.prec < p || (!rightAssoc && right.prec <= p) || mixesNullish(node.right);
      return { text: `${leftNeeds ? `(${left.text})` : left.text} ${node.op} ${rightNeeds ? `(${right.text})` : right.text}`, prec: p };
    }
    case 'cond': {
      const test = minimal(node.test);
      const then = minimal(node.then);
      const other = minimal(node.else);
      return { text: `${test.prec <= 1 ? `(${test.text})` : test.text} ? ${then.prec < 1 ? `(${then.text})` : then.text} : ${other.prec < 1 ? `(${other.text})` : other.text}`, prec: 0 };
    }
  }
}

/** JavaScript's own answer: the grammar has no names, so this runs nothing but literals and operators. */
function javascript(source: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: new Function(`"use strict"; return (${source});`)() };
  } catch {
    return { ok: false };
  }
}

function agree(source: string): void {
  const js = javascript(source);
  // Only programs JavaScript accepts and evaluates are compared (e.g. `1n` mixing is not in the grammar).
  fc.pre(js.ok);
  const expected = (js as { value: unknown }).value;
  const outcome = attempt(() => compileExpression(source), {});
  if (outcome.kind !== 'value') throw new Error(`${source}: JavaScript gives ${String(expected)}, the evaluator ${outcome.kind === 'syntax' ? 'refuses to compile it' : (outcome as { error: Error }).error.message}`);
  expect(Object.is(outcome.value, expected), `${source}: expected ${String(expected)}, got ${String(outcome.value)}`).toBe(true);
}

describe('agreement with JavaScript (fast-check)', () => {
  it('fully parenthesized arithmetic, comparison, logic and ternaries give JavaScript\'s values', () => {
    fc.assert(
      fc.property(ast, (node) => agree(full(node))),
      { numRuns: 500 },
    );
  });

  it('with only the parentheses precedence needs, too: the parser agrees on precedence and associativity', () => {
    fc.assert(
      fc.property(ast, (node) => agree(minimal(node).text)),
      { numRuns: 500 },
    );
  });

  it('inside a template: a whole {{ }} keeps the type, an interpolated one is the text', () => {
    fc.assert(
      fc.property(ast, (node) => {
        const source = full(node);
        const js = javascript(source);
        fc.pre(js.ok);
        const value = (js as { value: unknown }).value;
        expect(Object.is(compileValue(`{{ ${source} }}`).evaluate({}), value)).toBe(true);
        const text = value === undefined || value === null ? '' : String(value);
        expect(compileValue(`<{{ ${source} }}>`).evaluate({})).toBe(`<${text}>`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile expressions are bounded', () => {
  it.each([
    ['a huge repeat', "{{ 'x'.repeat(1e9) }}"],
    ['nested maps', '{{ $nodes.prev.list.map(a => $nodes.prev.list.map(b => $nodes.prev.list)) }}'],
    ['a step bomb', "{{ 'a'.padStart(16777216, 'b').split('').map(c => c + c).join('') }}"],
    ['deep brackets', `{{ ${'('.repeat(10_000)}1${')'.repeat(10_000)} }}`],
    ['a long operator chain', `{{ ${Array.from({ length: 5000 }, () => '1').join(' + ')} }}`],
  ])('%s fails cleanly, fast', (_name, text) => {
    const started = Date.now();
    const outcome = attempt(() => compileValue(text), makeScope({}));
    expect(Date.now() - started).toBeLessThan(2000);
    if (outcome.kind === 'value') expectPlainData(outcome.value);
  });

  it('data nested 100,000 deep is an ExpressionError when converted, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    for (const text of ['{{ JSON.stringify($context.data) }}', 'x {{ $context.data }}', '{{ $context.data.join() }}', '{{ $context.data + 1 }}', '{{ $context.data.flat(Infinity) }}']) {
      const outcome = attempt(() => compileValue(text), makeScope(deep));
      expect(outcome.kind, text).toBe('runtime');
    }
    // Handing it back unchanged is fine: nothing walks it.
    expect(compileValue('{{ $context.data }}').evaluate(makeScope(deep))).toBe(deep);
  });
});
