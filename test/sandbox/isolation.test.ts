/**
 * The classic ways out of a JavaScript sandbox, each tried in the real pool:
 * none reaches the host. QuickJS runs in WebAssembly, so the constructors a
 * script can reach build QuickJS functions, and the host's `process`,
 * `require` and modules are simply not there.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createSandboxPool } from '../../src/sandbox/sandbox-pool.js';

const pool = createSandboxPool({ size: 1, timeLimitMs: 2000, memoryLimitMb: 64 });
afterAll(() => pool.close());

const run = (source: string) => pool.run({ source, globals: { $context: { data: {} }, $nodes: {} } });

describe('no host access', () => {
  it.each([
    ['this.constructor.constructor', 'return this.constructor.constructor("return process")()'],
    ['Function("return this")', 'return Function("return this")().process.pid'],
    ['({}).__proto__.constructor.constructor', 'return ({}).__proto__.constructor.constructor("return process")().env'],
    ['a helper\'s constructor', 'return hmac.constructor("return process")().exit(1)'],
    ['console.log\'s constructor', 'return console.log.constructor("return require")()("fs")'],
    ['an async function\'s constructor', 'return await (async () => {}).constructor("return process")()'],
    ['an error\'s constructor chain', 'try { null.x } catch (e) { return e.constructor.constructor("return process")().version }'],
    ['require', 'return require("fs").readFileSync("/etc/passwd", "utf8")'],
    ['globalThis.process', 'return globalThis.process.mainModule'],
    ['module / exports', 'return module.exports'],
  ])('%s fails', async (_name, source) => {
    const outcome = await run(source);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'error' } });
    if (!outcome.ok) expect(outcome.failure.message).toMatch(/^(ReferenceError|TypeError): /);
  });

  it('dynamic import has no modules to load', async () => {
    for (const specifier of ['fs', 'node:child_process', 'file:///etc/passwd', 'data:text/javascript,export default 1']) {
      const outcome = await run(`return await import(${JSON.stringify(specifier)})`);
      expect(outcome, specifier).toMatchObject({ ok: false, failure: { kind: 'error', message: expect.stringMatching(/could not load module/) } });
    }
  });

  it('the global object holds nothing of the host', async () => {
    const outcome = await run('return Object.getOwnPropertyNames(Function("return this")())');
    if (!outcome.ok) throw new Error(outcome.failure.message);
    const names = outcome.value as string[];
    for (const hostName of ['process', 'require', 'module', 'Buffer', 'global', 'setTimeout', 'fetch', 'WebAssembly', 'queueMicrotask']) {
      expect(names).not.toContain(hostName);
    }
    expect(names).toEqual(expect.arrayContaining(['$context', 'context', '$nodes', 'hmac', 'sha256', 'base64', 'uuid', 'console', 'JSON']));
  });

  it('typeof tells the same story', async () => {
    const outcome = await run('return [typeof process, typeof require, typeof globalThis.process, typeof ({}).constructor.constructor("return typeof process")()]');
    expect(outcome).toMatchObject({ ok: true, value: ['undefined', 'undefined', 'undefined', 'string'] });
    const inner = await run('return ({}).constructor.constructor("return typeof process")()');
    expect(inner).toMatchObject({ ok: true, value: 'undefined' });
  });

  it('error stacks name only the script, never a host path', async () => {
    const outcome = await run('try { null.x } catch (e) { return e.stack }');
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.value).toMatch(/code\.js:1/);
    expect(outcome.value).not.toMatch(/\/work|node_modules|node:|file:/);
  });

  it('prototype pollution and globals do not outlive a run', async () => {
    const polluted = await run('Object.prototype.polluted = "yes"; Array.prototype.map = null; globalThis.leak = 1; JSON.stringify = () => "x"; return 1');
    expect(polluted).toMatchObject({ ok: true, value: 1 });
    const next = await run('return [({}).polluted ?? null, typeof [].map, typeof leak, JSON.stringify({ a: 1 })]');
    expect(next).toMatchObject({ ok: true, value: [null, 'function', 'undefined', '{"a":1}'] });
  });

  it('a script that replaces JSON or the helpers only changes its own calls', async () => {
    const outcome = await run('JSON.stringify = () => { throw new Error("mine") }; JSON.parse = null; return { fine: true }');
    expect(outcome).toMatchObject({ ok: true, value: { fine: true } });
    expect(await run('globalThis.hmac = null; return typeof hmac')).toMatchObject({ ok: true, value: 'object' });
    expect(await run('return hmac("sha256", "k", "d").length')).toMatchObject({ ok: true, value: 64 });
  });
});
