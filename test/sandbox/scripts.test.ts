/**
 * What a script sees and gives back, in the real QuickJS pool: values as
 * JSON, async functions, globals, helpers, console lines, errors with lines.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_LIMITS } from '../../src/sandbox/log-collector.js';
import type { ScriptGlobals, ScriptRequest } from '../../src/sandbox/sandbox.js';
import { createSandboxPool } from '../../src/sandbox/sandbox-pool.js';

const pool = createSandboxPool({ size: 2, timeLimitMs: 2000, memoryLimitMb: 64 });
afterAll(() => pool.close());

const globals: ScriptGlobals = { $context: { data: { n: 21, name: 'Ada' }, headers: { 'x-a': 'b' } }, $nodes: { first: { id: 7 } } };
const run = (source: string, extra: Partial<ScriptRequest> = {}) => pool.run({ source, globals, ...extra });

describe('script values', () => {
  it('returns what the function body returns, as JSON', async () => {
    expect(await run('return $context.data.n * 2')).toEqual({ ok: true, value: 42, logs: [] });
    expect(await run('return { a: [1, "two", null, true], nested: { d: new Date(0) } }')).toMatchObject({
      ok: true,
      value: { a: [1, 'two', null, true], nested: { d: '1970-01-01T00:00:00.000Z' } },
    });
  });

  it('gives null for no return value', async () => {
    expect(await run('const x = 1;')).toMatchObject({ ok: true, value: null });
  });

  it('awaits async code and promise chains', async () => {
    const outcome = await run(`
      const twice = async (n) => { await null; return n * 2; };
      const [a, b] = await Promise.all([twice(1), twice(2)]);
      return await Promise.resolve(a + b).then((s) => s * 10);
    `);
    expect(outcome).toMatchObject({ ok: true, value: 60 });
  });

  it('sees $context (also as context), $nodes, and $item/$index in a loop', async () => {
    expect(await run('return [$context.data.name, context.headers["x-a"], $nodes.first.id, $item, $index]')).toMatchObject({
      ok: true,
      value: ['Ada', 'b', 7, null, null],
    });
    const inLoop = await pool.run({ source: 'return { item: $item, index: $index }', globals: { ...globals, $item: { sku: 'x' }, $index: 2 } });
    expect(inLoop).toMatchObject({ ok: true, value: { item: { sku: 'x' }, index: 2 } });
  });

  it('gets a copy of its input: changing it changes nothing outside', async () => {
    await run('$context.data.n = 0; $nodes.first.id = 0; return 1');
    expect(globals).toMatchObject({ $context: { data: { n: 21 } }, $nodes: { first: { id: 7 } } });
  });

  it('refuses a value that is not JSON', async () => {
    for (const [source, why] of [
      ['return () => 1', /not JSON-serialisable: a function/],
      ['const a = {}; a.self = a; return a', /not JSON-serialisable: circular/],
      ['return 10n', /not JSON-serialisable/],
    ] as const) {
      const outcome = await run(source);
      expect(outcome, source).toMatchObject({ ok: false, failure: { kind: 'error', message: expect.stringMatching(why) } });
    }
  });

  it('reports a thrown error with its message and the line in the source', async () => {
    const outcome = await run('const a = 1;\n\nthrow new RangeError("too far: " + a);');
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'error', message: 'RangeError: too far: 1', line: 3 } });
    expect(await run('return $context.data.missing.deeper')).toMatchObject({ ok: false, failure: { kind: 'error', message: expect.stringMatching(/^TypeError: /), line: 1 } });
    expect(await run('throw "plain text"')).toMatchObject({ ok: false, failure: { kind: 'error', message: 'the script threw "plain text"' } });
    expect(await run('await Promise.reject(new Error("async boom"))')).toMatchObject({ ok: false, failure: { message: 'Error: async boom' } });
  });

  it('reports a syntax error as such', async () => {
    expect(await run('const = 1')).toMatchObject({ ok: false, failure: { kind: 'syntax', message: expect.stringMatching(/^SyntaxError: /), line: 1 } });
  });

  it('names a promise that never settles instead of hanging', async () => {
    expect(await run('await new Promise(() => {})')).toMatchObject({ ok: false, failure: { kind: 'error', message: expect.stringMatching(/never settles/) } });
  });
});

describe('helpers', () => {
  it('hmac matches node:crypto (RFC 4231 case 2) in hex, base64 and base64url', async () => {
    const outcome = await run(`return [
      hmac('sha256', 'Jefe', 'what do ya want for nothing?'),
      hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'base64'),
      hmac('SHA-1', 'key', 'The quick brown fox jumps over the lazy dog'),
      hmac('sha512', 'ключ', 'données', 'base64url'),
    ]`);
    expect(outcome).toMatchObject({
      ok: true,
      value: [
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
        createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('base64'),
        'de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9',
        createHmac('sha512', 'ключ').update('données').digest('base64url'),
      ],
    });
  });

  it('sha256, base64 and uuid give the known results', async () => {
    const outcome = await run(`return {
      empty: sha256(''), abc: sha256('abc'), b64: sha256('abc', 'base64'),
      encoded: base64.encode('héllo wörld ✓'), decoded: base64.decode('aMOpbGxvIHfDtnJsZCDinJM='),
      url: base64.decode('aMOpbGxv_w'), ids: [uuid(), uuid()],
    }`);
    if (!outcome.ok) throw new Error(outcome.failure.message);
    const value = outcome.value as Record<string, unknown>;
    expect(value).toMatchObject({
      empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      b64: createHash('sha256').update('abc').digest('base64'),
      encoded: Buffer.from('héllo wörld ✓').toString('base64'),
      decoded: 'héllo wörld ✓',
    });
    const ids = value.ids as string[];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('refuses arguments that are not strings or not known, as a TypeError the script can catch', async () => {
    expect(await run('return hmac("sha256", "k", { a: 1 })')).toMatchObject({ ok: false, failure: { message: 'TypeError: hmac: data must be a string, got object' } });
    expect(await run('return hmac("whirlpool", "k", "d")')).toMatchObject({ ok: false, failure: { message: expect.stringMatching(/^TypeError: unknown algorithm "whirlpool"/) } });
    expect(await run('return sha256("x", "latin1")')).toMatchObject({ ok: false, failure: { message: expect.stringMatching(/unknown encoding/) } });
    expect(await run('try { base64.decode("!!") } catch (e) { return e instanceof TypeError }')).toMatchObject({ ok: true, value: true });
  });
});

describe('console', () => {
  it('keeps console lines, on success and on failure', async () => {
    const outcome = await run('console.log("n is", $context.data.n, { a: [1] }); console.info("info"); console.warn("careful"); console.error(new Error("bad")); return 1');
    expect(outcome).toEqual({ ok: true, value: 1, logs: ['n is 21 {"a":[1]}', 'info', '[warn] careful', '[error] Error: bad'] });
    const failed = await run('console.log("before"); throw new Error("after")');
    expect(failed).toMatchObject({ ok: false, logs: ['before'] });
  });

  it('bounds how many lines are kept and how long each is', async () => {
    const outcome = await run(`for (let i = 0; i < ${LOG_LIMITS.lines + 50}; i++) console.log(i === 0 ? "x".repeat(5000) : "line " + i); return 1`);
    expect(outcome.logs).toHaveLength(LOG_LIMITS.lines + 1);
    expect(outcome.logs[0]).toBe(`${'x'.repeat(LOG_LIMITS.lineLength)}… (5000 characters)`);
    expect(outcome.logs.at(-1)).toBe(`… 50 more lines not kept (limit ${LOG_LIMITS.lines})`);
  });
});
