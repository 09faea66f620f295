import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  ExpressionSyntaxError,
  type Scope,
  compileExpression,
  compileValue,
  containsTemplate,
} from '../../src/engine/expressions/index.js';
import { HookflowError } from '../../src/shared/errors.js';

function makeScope(): Scope {
  return {
    $context: {
      data: {
        ref: 'refs/heads/main',
        count: 3,
        ok: true,
        commits: [
          { id: 'a1', author: 'ann', added: 2 },
          { id: 'b2', author: 'bob', added: 0 },
          { id: 'c3', author: 'ann', added: 5 },
        ],
        nested: { deeper: { value: 42 } },
        tags: ['b', 'a', 'c'],
        note: null,
        sneaky: '{{ 1 + 1 }}',
      },
      headers: { 'x-github-delivery': 'd-1', 'content-type': 'application/json' },
      query: { page: '2' },
      params: { repo: 'hookflow' },
      method: 'POST',
    },
    $nodes: { branch: { name: 'main' } },
    $secrets: { TOKEN: 't0k3n' },
    $system: { now: '2024-03-05T10:00:00.000Z', executionId: 'ex-1', workflowId: 'wf-1' },
  };
}

const scope = makeScope();
const run = (template: unknown, s: Scope = scope): unknown => compileValue(template).evaluate(s);
const expr = (source: string, s: Scope = scope): unknown => compileExpression(source).evaluate(s);

function runtimeError(template: string, s: Scope = scope): ExpressionError {
  const compiled = compileValue(template);
  try {
    compiled.evaluate(s);
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionError);
    return err as ExpressionError;
  }
  throw new Error(`expected ${template} to fail`);
}

function syntaxError(template: string): ExpressionSyntaxError {
  try {
    compileValue(template);
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionSyntaxError);
    return err as ExpressionSyntaxError;
  }
  throw new Error(`expected ${template} not to compile`);
}

/** Hostile input must fail cleanly: either refused at compile time or failing with an ExpressionError. */
function failsCleanly(template: string): ExpressionSyntaxError | ExpressionError {
  const started = performance.now();
  try {
    compileValue(template).evaluate(makeScope());
  } catch (err) {
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err instanceof ExpressionSyntaxError || err instanceof ExpressionError).toBe(true);
    return err as ExpressionSyntaxError | ExpressionError;
  }
  throw new Error(`expected ${template.slice(0, 80)} to fail`);
}

describe('templates', () => {
  it('keeps the type of a string that is exactly one template', () => {
    expect(run('{{ $context.data.count }}')).toBe(3);
    expect(run('{{ $context.data.ok }}')).toBe(true);
    expect(run('{{ $context.data.nested }}')).toEqual({ deeper: { value: 42 } });
    expect(run('{{ $context.data.tags }}')).toEqual(['b', 'a', 'c']);
    expect(run('{{ $context.data.note }}')).toBeNull();
    expect(run('{{ $context.data.missing }}')).toBeUndefined();
    expect(run('  {{ $context.data.count }}\n')).toBe(3);
  });

  it('interpolates several templates or surrounding text as a string', () => {
    expect(run('{{ $context.data.commits.length }} commits on {{ $nodes.branch.name }}')).toBe('3 commits on main');
    expect(run('count: {{ $context.data.count }}')).toBe('count: 3');
    expect(run('{{ $context.data.count }}{{ $context.data.count }}')).toBe('33');
  });

  it('shows objects as JSON and null or undefined as nothing when interpolating', () => {
    expect(run('n={{ $context.data.nested }}')).toBe('n={"deeper":{"value":42}}');
    expect(run('t={{ $context.data.tags }}')).toBe('t=["b","a","c"]');
    expect(run('[{{ $context.data.note }}|{{ $context.data.missing }}]')).toBe('[|]');
    expect(run('at {{ $date($system.now) }}')).toBe('at 2024-03-05T10:00:00.000Z');
  });

  it('leaves strings without {{ alone and returns static values as they are', () => {
    expect(containsTemplate('plain } text }}')).toBe(false);
    expect(containsTemplate('a {{ b }}')).toBe(true);
    const body = { ok: true, list: [1, 'two', { three: 3 }] };
    const compiled = compileValue(body);
    expect(compiled.isStatic).toBe(true);
    expect(compiled.evaluate(scope)).toBe(body);
  });

  it('walks objects and arrays, sharing static parts', () => {
    const staticPart = { keep: 'me' };
    const compiled = compileValue({
      url: 'https://ci.example/{{ $context.params.repo }}/deploy',
      headers: { authorization: 'Bearer {{ $secrets.TOKEN }}' },
      list: ['{{ $context.data.count }}', 'plain'],
      staticPart,
    });
    expect(compiled.isStatic).toBe(false);
    const value = compiled.evaluate(scope) as Record<string, unknown>;
    expect(value).toEqual({
      url: 'https://ci.example/hookflow/deploy',
      headers: { authorization: 'Bearer t0k3n' },
      list: [3, 'plain'],
      staticPart: { keep: 'me' },
    });
    expect(value.staticPart).toBe(staticPart);
  });

  it('finds the closing }} past braces and quotes inside the expression', () => {
    expect(run('{{ {a: {b: 1}} }}')).toEqual({ a: { b: 1 } });
    expect(run("{{ '}}' }}")).toBe('}}');
    expect(run('x{{ `}}${1}` }}y')).toBe('x}}1y');
    expect(run("{{ '{{name}}' }}")).toBe('{{name}}');
  });

  it('never evaluates data: a {{ in a value comes back as text', () => {
    expect(run('{{ $context.data.sneaky }}')).toBe('{{ 1 + 1 }}');
    expect(run('got {{ $context.data.sneaky }}')).toBe('got {{ 1 + 1 }}');
    expect(run("{{ '{{' + ' 1 + 1 }}' }}")).toBe('{{ 1 + 1 }}');
  });

  it('reports syntax errors with the path of the value', () => {
    const err = (() => {
      try {
        compileValue({ nodes: [{ key: 'a' }, { url: 'https://x/{{ $context.data. }}' }] }, 'definition');
      } catch (e) {
        return e as ExpressionSyntaxError;
      }
      throw new Error('expected a syntax error');
    })();
    expect(err).toBeInstanceOf(ExpressionSyntaxError);
    expect(err.path).toBe('definition.nodes[1].url');
    expect(err.message).toMatch(/^definition\.nodes\[1\]\.url: /);
    expect(syntaxError('{{ $context.data.x ').reason).toMatch(/never closed/);
    expect(syntaxError('{{ }}').reason).toMatch(/empty/);
    expect(syntaxError('{{ a; b }}').reason).toMatch(/one expression/);
    expect(syntaxError('{{ $context.data. }}').reason).toMatch(/ends too early/);
    for (const malformed of ['{{ {[]: 1} }}', '{{ {a: } }}', '{{ `${}` }}', '{{ f(,) }}', '{{ [1].map(({a}) => a) }}', '{{ x ? 1 }}']) {
      expect(() => compileValue(malformed)).toThrow(ExpressionSyntaxError);
    }
  });

  it('reports run-time errors as expression_error with the path', () => {
    const compiled = compileValue({ body: { text: '{{ $context.data.missing.trim() }}' } }, 'nodes[0]');
    let caught: unknown;
    try {
      compiled.evaluate(scope);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect(caught).toBeInstanceOf(HookflowError);
    const err = caught as ExpressionError;
    expect(err.code).toBe('expression_error');
    expect(err.status).toBe(500);
    expect(err.path).toBe('nodes[0].body.text');
    expect(err.message).toContain('cannot call trim() on undefined ($context.data.missing)');
  });
});

describe('expressions', () => {
  it('reads members with . and [] and gives undefined for anything missing', () => {
    expect(run("{{ $context.headers['x-github-delivery'] }}")).toBe('d-1');
    expect(run('{{ $context.data.commits[1].id }}')).toBe('b2');
    expect(run("{{ $context.data['nested'].deeper['value'] }}")).toBe(42);
    expect(run('{{ $context.data.nope.deeper.still }}')).toBeUndefined();
    expect(run('{{ $context.data.note.x }}')).toBeUndefined();
    expect(run('{{ $context.data.commits[99].id }}')).toBeUndefined();
    expect(run('{{ $context.data.ref.length }}')).toBe(15);
    expect(run('{{ $context.data.ref[0] }}')).toBe('r');
    expect(run('{{ $context.data?.nested?.deeper?.value }}')).toBe(42);
  });

  it('fails a method call on a missing value unless ?. allows it', () => {
    expect(runtimeError('{{ $context.data.missing.toUpperCase() }}').reason).toMatch(/cannot call toUpperCase\(\) on undefined/);
    expect(run('{{ $context.data.missing?.toUpperCase() }}')).toBeUndefined();
    expect(run("{{ $context.data.missing?.replace('a', 'b') ?? 'none' }}")).toBe('none');
  });

  it('evaluates operators, the ternary and ??', () => {
    expect(run("{{ $context.data.ref.replace('refs/heads/', '') }}")).toBe('main');
    expect(run("{{ $nodes.branch.name === 'main' }}")).toBe(true);
    expect(run("{{ $nodes.branch.name !== 'main' }}")).toBe(false);
    expect(run('{{ $context.data.count * 2 + 1 }}')).toBe(7);
    expect(run('{{ 2 ** 10 % 1000 }}')).toBe(24);
    expect(run("{{ $context.data.count > 2 ? 'many' : 'few' }}")).toBe('many');
    expect(run("{{ $context.data.note ?? 'default' }}")).toBe('default');
    expect(run("{{ $context.data.count ?? 'default' }}")).toBe(3);
    expect(run("{{ $context.data.missing || 'fallback' }}")).toBe('fallback');
    expect(run('{{ !$context.data.ok && -$context.data.count }}')).toBe(false);
    expect(run("{{ typeof $context.data.count + ',' + typeof $item }}")).toBe('number,undefined');
    expect(run("{{ '10' == 10 && '10' !== 10 }}")).toBe(true);
    expect(run("{{ 'abc' < 'abd' }}")).toBe(true);
    expect(run('{{ [1, 2] + [3] }}')).toBe('1,23');
    expect(run('{{ `${$context.params.repo}#${$context.data.count}` }}')).toBe('hookflow#3');
  });

  it('builds arrays and objects', () => {
    expect(run("{{ { repo: $context.params.repo, n: $context.data.count, ['k' + 1]: true, list: [1, 'a'] } }}")).toEqual({
      repo: 'hookflow',
      n: 3,
      k1: true,
      list: [1, 'a'],
    });
  });

  it('offers the allow-listed string methods', () => {
    expect(run("{{ ' Hello '.trim().toUpperCase() }}")).toBe('HELLO');
    expect(run("{{ 'Hello'.toLowerCase().startsWith('he') && 'Hello'.endsWith('lo') }}")).toBe(true);
    expect(run("{{ 'a,b,c'.split(',') }}")).toEqual(['a', 'b', 'c']);
    expect(run("{{ 'abcdef'.slice(1, 3) + 'abcdef'.substring(4) + 'abc'.at(-1) }}")).toBe('bcefc');
    expect(run("{{ '7'.padStart(3, '0') + '|' + 'ab'.repeat(2) + '|' + 'x'.padEnd(3, '.') }}")).toBe('007|abab|x..');
    expect(run("{{ 'a-b-c'.replaceAll('-', '+') + 'a-b'.replace('-', '') }}")).toBe('a+b+cab');
    expect(run("{{ 'hello'.indexOf('l') + 'hello'.includes('ell') }}")).toBe(3);
    expect(run("{{ 'ab'.concat('cd', 1) + 'x'.charAt(0) }}")).toBe('abcd1x');
  });

  it('inserts replacements literally, without $ patterns', () => {
    expect(run("{{ 'price: X'.replace('X', '$5 and $&') }}")).toBe('price: $5 and $&');
    expect(run("{{ 'aXbX'.replaceAll('X', \"$'\") }}")).toBe("a$'b$'");
  });

  it('runs array methods with arrow callbacks', () => {
    expect(run('{{ $context.data.commits.map(c => c.id) }}')).toEqual(['a1', 'b2', 'c3']);
    expect(run("{{ $context.data.commits.filter(c => c.author === 'ann').length }}")).toBe(2);
    expect(run('{{ $context.data.commits.find(c => c.added === 0).id }}')).toBe('b2');
    expect(run('{{ $context.data.commits.findIndex(c => c.added > 4) }}')).toBe(2);
    expect(run('{{ $context.data.commits.some(c => c.added > 4) && $context.data.commits.every(c => c.added >= 0) }}')).toBe(true);
    expect(run('{{ $context.data.commits.reduce((sum, c) => sum + c.added, 0) }}')).toBe(7);
    expect(run('{{ $context.data.commits.flatMap(c => [c.id, c.added]) }}')).toEqual(['a1', 2, 'b2', 0, 'c3', 5]);
    expect(run('{{ $context.data.commits.map((c, i) => i) }}')).toEqual([0, 1, 2]);
    expect(run('{{ $context.data.commits.map(c => ({ who: c.author, big: c.added > 1 })) }}')).toEqual([
      { who: 'ann', big: true },
      { who: 'bob', big: false },
      { who: 'ann', big: true },
    ]);
    expect(run('{{ [[1, [2]], [3]].flat() }}')).toEqual([1, [2], 3]);
    expect(run("{{ $context.data.tags.join('/') + $context.data.tags.includes('a') }}")).toBe('b/a/ctrue');
    expect(run('{{ [1, 2].map(x => [10, 20].map(y => x * y)) }}')).toEqual([
      [10, 20],
      [20, 40],
    ]);
  });

  it('sorts and reverses copies, never the data itself', () => {
    const s = makeScope();
    expect(run('{{ $context.data.tags.sort() }}', s)).toEqual(['a', 'b', 'c']);
    expect(run('{{ $context.data.commits.sort((a, b) => b.added - a.added).map(c => c.id) }}', s)).toEqual(['c3', 'a1', 'b2']);
    expect(run('{{ $context.data.tags.reverse() }}', s)).toEqual(['c', 'a', 'b']);
    expect((s.$context as { data: { tags: string[] } }).data.tags).toEqual(['b', 'a', 'c']);
  });

  it('offers number, Math, JSON, Object and conversion helpers', () => {
    expect(run('{{ (3.14159).toFixed(2) }}')).toBe('3.14');
    expect(run('{{ Math.round(2.5) + Math.max(1, 7, 3) + Math.floor(Math.PI) }}')).toBe(13);
    expect(run('{{ JSON.stringify($context.data.nested) }}')).toBe('{"deeper":{"value":42}}');
    expect(run('{{ JSON.parse(\'{"a":[1,2]}\').a[1] }}')).toBe(2);
    expect(run('{{ Object.keys($context.params) }}')).toEqual(['repo']);
    expect(run('{{ Object.entries($context.query) }}')).toEqual([['page', '2']]);
    expect(run('{{ Object.values($context.query) }}')).toEqual(['2']);
    expect(run("{{ Object.fromEntries([['a', 1]]) }}")).toEqual({ a: 1 });
    expect(run('{{ Number($context.query.page) + parseInt("10px") + parseFloat("1.5") }}')).toBe(13.5);
    expect(run('{{ String(12) + Boolean(0) }}')).toBe('12false');
    expect(run('{{ Array.isArray($context.data.tags) }}')).toBe(true);
    expect(run("{{ encodeURIComponent('a b&c') + decodeURIComponent('%41') }}")).toBe('a%20b%26cA');
    expect(run('{{ typeof Date.now() }}')).toBe('number');
  });

  it('offers date helpers', () => {
    expect(run('{{ $now() }}')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(run("{{ $date('2024-01-01T00:00:00Z').getTime() }}")).toBe(1_704_067_200_000);
    expect(run('{{ $date(0).toISOString() }}')).toBe('1970-01-01T00:00:00.000Z');
    expect(run('{{ $date($system.now).getUTCHours() }}')).toBe(10);
    expect(run('{{ $formatDate($system.now) }}')).toBe('2024-03-05T10:00:00.000Z');
    expect(run("{{ $formatDate($system.now, 'YYYY/MM/DD HH:mm Z', 'Asia/Shanghai') }}")).toBe('2024/03/05 18:00 +08:00');
    expect(run("{{ $formatDate('2024-07-01T12:00:00Z', 'HH:mm [o\\'clock] Z', 'America/New_York') }}")).toBe("08:00 o'clock -04:00");
    expect(run('{{ $date($date($system.now).getTime() + 3600000) > $date($system.now) }}')).toBe(true);
    expect(run('{{ $date($system.now) + 0 }}')).toBe('2024-03-05T10:00:00.000Z0');
    expect(runtimeError("{{ $date('not a date') }}").reason).toMatch(/not a valid date/);
    expect(runtimeError("{{ $formatDate($system.now, 'YYYY', 'Mars/Base') }}").reason).toMatch(/unknown time zone/);
  });

  it('compiles bare expressions, with or without braces', () => {
    expect(compileExpression("$nodes.branch.name === 'main'").evaluate(scope)).toBe(true);
    expect(expr('{{ $context.data.count }}')).toBe(3);
    expect(expr('$context.data.commits')).toHaveLength(3);
    expect(() => compileExpression('$context.data.', 'nodes[1].if')).toThrow(ExpressionSyntaxError);
  });

  it('fails on an unknown variable, and on a method that does not exist', () => {
    expect(runtimeError('{{ $contxt.data }}').reason).toBe('unknown variable $contxt');
    expect(runtimeError('{{ $context.data.count.toUpperCase() }}').reason).toMatch(/not available on a number/);
    expect(syntaxError('{{ $context.data.ref.bogus() }}').reason).toMatch(/bogus\(\) is not an available method/);
    expect(syntaxError('{{ Math.evil(1) }}').reason).toMatch(/Math\.evil\(\) is not an available function/);
  });

  it('turns failures of built-ins into expression errors', () => {
    expect(runtimeError("{{ JSON.parse('{nope') }}").reason).toBe('JSON.parse(): the text is not valid JSON');
    expect(runtimeError("{{ decodeURIComponent('%E0%A4%A') }}").reason).toMatch(/decodeURIComponent\(\) failed/);
    expect(runtimeError('{{ (1).toFixed(500) }}').reason).toMatch(/toFixed\(\) failed/);
    expect(runtimeError('{{ [].reduce((a, b) => a) }}').reason).toMatch(/starting value/);
  });
});

describe('hostile expressions', () => {
  it.each([
    "{{ constructor.constructor('return process')() }}",
    "{{ $context.constructor.constructor('return process')() }}",
    "{{ ''.constructor.constructor('return process')() }}",
    '{{ this }}',
    '{{ globalThis }}',
    '{{ process }}',
    '{{ process.env }}',
    "{{ require('fs') }}",
    '{{ Function }}',
    "{{ Function('return 1')() }}",
    '{{ eval }}',
    '{{ a = 1 }}',
    '{{ $context.data = 1 }}',
    '{{ new Date() }}',
    '{{ $context.data.ref.toString.call($context) }}',
    '{{ $context.data.tags.map.apply(null, []) }}',
    '{{ x => x }}',
    '{{ [1].map(x => x)(1) }}',
    "{{ 'a'.replace('a', x => process) }}",
    '{{ [1].map(String) }}',
    '{{ $context[`constructor`][`constructor`]() }}',
    '{{ $context.data.tags[$context.data.ref]() }}',
    '{{ Math }}',
    '{{ JSON }}',
    '{{ Object.assign($context, {}) }}',
    '{{ Object.defineProperty }}',
    '{{ [1].map($item => $item) }}',
    "{{ /x/.test('x') }}",
  ])('refuses %s', (template) => {
    expect(failsCleanly(template)).toBeDefined();
  });

  it.each([
    '{{ $context.__proto__ }}',
    "{{ $context['__proto__'] }}",
    '{{ [].constructor }}',
    "{{ ''.constructor.prototype }}",
    '{{ $context.constructor }}',
    '{{ $context.toString }}',
    '{{ $context.toString.call }}',
    '{{ $context.data.tags.map }}',
    '{{ $context.data.ref.replace }}',
    '{{ $context.hasOwnProperty }}',
    '{{ $context.__defineGetter__ }}',
    '{{ $date($system.now).constructor }}',
    '{{ (1).constructor }}',
    '{{ {}.__proto__ }}',
  ])('gives undefined, never a host object, for %s', (template) => {
    expect(run(template)).toBeUndefined();
  });

  it('never hands out functions that sit in the scope', () => {
    const s = { $context: { fn: () => 'host', data: { fn: () => 'host' } } };
    expect(run('{{ $context.fn }}', s)).toBeUndefined();
    expect(run('{{ Object.values($context.data) }}', s)).toEqual([undefined]);
    expect(failsCleanly('{{ $context.fn() }}')).toBeDefined();
  });

  it('keeps __proto__ a plain key, so nothing is polluted', () => {
    const made = run("{{ { '__proto__': { polluted: true } } }}") as Record<string, unknown>;
    expect(Object.keys(made)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
    const fromEntries = run("{{ Object.fromEntries([['__proto__', { polluted: true }]]) }}") as object;
    expect(Object.getPrototypeOf(fromEntries)).toBe(Object.prototype);
    const compiled = compileValue(JSON.parse('{"__proto__": {"polluted": "{{ true }}"}}'));
    expect(Object.getPrototypeOf(compiled.evaluate(scope))).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('caps the size of produced strings and arrays', () => {
    expect(failsCleanly("{{ 'x'.repeat(1e9) }}").message).toMatch(/longer than/);
    expect(failsCleanly("{{ 'x'.padStart(1e9) }}").message).toMatch(/longer than/);
    expect(failsCleanly("{{ 'x'.padEnd(1e9, 'ab') }}").message).toMatch(/longer than/);
    expect(failsCleanly("{{ 'x'.repeat(1e6).repeat(1e6) }}").message).toMatch(/longer than/);
    expect(failsCleanly("{{ 'x'.repeat(1e6).replaceAll('', 'yyyyyyyyyyyyyyyyyyyy') }}").message).toMatch(/longer than/);
    expect(failsCleanly("{{ 'x'.repeat(64).split('').reduce(acc => acc + acc, 'x') }}").message).toMatch(/longer than/);
    expect(failsCleanly("{{ 'x'.repeat(2e6).split('') }}").message).toMatch(/more than 1,000,000 items/);
    expect(failsCleanly("{{ 'x'.repeat(40).split('').reduce(acc => acc.concat(acc), ['x']) }}").message).toMatch(/more than|budget/);
    expect(
      failsCleanly("{{ JSON.stringify([1].map(_ => 'y'.repeat(1e6)).flatMap(s => 'x'.repeat(100).split('').map(_ => s))) }}").message,
    ).toMatch(/longer than|budget/);
    expect(
      failsCleanly("{{ [1].map(_ => 'y'.repeat(1e6)).flatMap(s => 'x'.repeat(100).split('').map(_ => s)).join('') }}").message,
    ).toMatch(/longer than|budget/);
  });

  it('stops runaway loops with the step budget', () => {
    const err = failsCleanly(
      "{{ 'x'.repeat(1000).split('').map(a => 'x'.repeat(1000).split('').map(b => 'x'.repeat(1000).split('').map(c => 1))) }}",
    );
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.message).toMatch(/budget/);
    expect(failsCleanly("{{ 'x'.repeat(5000).split('').map(a => 'x'.repeat(5000).split('').filter(b => a === b).length) }}").message).toMatch(
      /budget/,
    );
    expect(failsCleanly("{{ 'x'.repeat(2000).split('').sort((a, b) => 'x'.repeat(2000).split('').length) }}").message).toMatch(/budget/);
    // Slow built-ins pay more than one step: this ran for 10 s before they did.
    expect(
      failsCleanly("{{ 'x'.repeat(400000).split('').map((a, i) => i.toLocaleString('de-DE', { style: 'currency', currency: 'EUR' })) }}").message,
    ).toMatch(/budget/);
  });

  it('shares one budget across all templates of a compiled value', () => {
    const heavy = "{{ 'x'.repeat(300).split('').map(a => 'x'.repeat(300).split('').map(b => 1)).length }}";
    expect(run({ one: heavy })).toEqual({ one: 300 });
    expect(() => run({ one: heavy, two: heavy, three: heavy, four: heavy, five: heavy, six: heavy, seven: heavy, eight: heavy, nine: heavy, ten: heavy, eleven: heavy, twelve: heavy })).toThrow(
      /budget/,
    );
  });

  it('refuses deeply nested or oversized expressions before parsing them', () => {
    expect(failsCleanly(`{{ ${'('.repeat(10_000)}1${')'.repeat(10_000)} }}`)).toBeInstanceOf(ExpressionSyntaxError);
    expect(failsCleanly(`{{ ${'['.repeat(5_000)}${']'.repeat(5_000)} }}`)).toBeInstanceOf(ExpressionSyntaxError);
    expect(failsCleanly(`{{ ${'!'.repeat(15_000)}1 }}`)).toBeInstanceOf(ExpressionSyntaxError);
    expect(failsCleanly(`{{ ${'-'.repeat(5_000)}1 }}`)).toBeInstanceOf(ExpressionSyntaxError);
    expect(failsCleanly(`{{ ${'1+'.repeat(5_000)}1 }}`)).toBeInstanceOf(ExpressionSyntaxError);
    expect(failsCleanly(`{{ ${'x => '.repeat(500)}1 }}`)).toBeInstanceOf(ExpressionSyntaxError);
    expect(failsCleanly(`{{ '${'a'.repeat(30_000)}' }}`)).toBeInstanceOf(ExpressionSyntaxError);
  });

  it('fails cleanly on deeply nested data', () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const s = { $context: { data: { deep: JSON.parse(deep) as unknown } } };
    for (const template of [
      '{{ JSON.stringify($context.data.deep) }}',
      'x{{ $context.data.deep }}',
      '{{ $context.data.deep.flat(Infinity) }}',
      "{{ $context.data.deep.join('') }}",
      "{{ $context.data.deep + '' }}",
    ]) {
      expect(() => compileValue(template).evaluate(s)).toThrow(ExpressionError);
    }
  });

  it('refuses a cyclic definition instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = { a: '{{ 1 }}' };
    cyclic.self = cyclic;
    expect(() => compileValue(cyclic, 'def')).toThrow(ExpressionSyntaxError);
  });

  it('does not leak secrets into error messages of JSON.parse', () => {
    const err = runtimeError('{{ JSON.parse($secrets.TOKEN) }}');
    expect(err.message).not.toContain('t0k3n');
  });
});
