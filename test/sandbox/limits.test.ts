/**
 * Time, memory and stack limits in the real pool. Every script here is cut
 * short by a limit, and each test then shows the pool still runs the next
 * script: the worker survives, or is replaced.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScriptRequest } from '../../src/sandbox/sandbox.js';
import { createSandboxPool } from '../../src/sandbox/sandbox-pool.js';

const pool = createSandboxPool({ size: 1, timeLimitMs: 300, memoryLimitMb: 32 });
afterAll(() => pool.close());

const run = (source: string, extra: Partial<ScriptRequest> = {}) => pool.run({ source, globals: { $context: {}, $nodes: {} }, ...extra });

async function expectPoolStillRuns(): Promise<void> {
  expect(await run('return "next"')).toEqual({ ok: true, value: 'next', logs: [] });
}

describe('time limit', () => {
  it('stops an infinite loop at the limit, even one inside try/catch', async () => {
    for (const source of ['while (true) {}', 'for (;;) { try { while (true) {} } catch (e) {} }', 'let n = 0; while (true) { n = [n].map((x) => x + 1)[0] }']) {
      const outcome = await run(source, { timeLimitMs: 150 });
      expect(outcome, source).toMatchObject({ ok: false, failure: { kind: 'timeout', message: 'the script ran past its time limit (150 ms)', limit: 150 } });
      await expectPoolStillRuns();
    }
  });

  it('terminates and replaces a worker whose script the interrupt cannot reach', async () => {
    // Every call overflows the stack and is retried from its catch: QuickJS
    // throws before it polls for interrupts, so only the main thread's
    // backstop (limit + 1 s here) ends it.
    const before = pool.stats().replaced;
    const outcome = await run('const f = () => { try { return f() } catch { return f() } }; f()', { timeLimitMs: 100 });
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'timeout', message: expect.stringMatching(/did not stop; its worker was replaced/), limit: 100 } });
    expect(pool.stats().replaced).toBe(before + 1);
    await expectPoolStillRuns();
  });

  it('stops a catastrophic regular expression', async () => {
    const outcome = await run('return /(a+)+$/.test("a".repeat(40) + "b")', { timeLimitMs: 150 });
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
    await expectPoolStillRuns();
  });

  it('keeps the logs of a script stopped by its limit', async () => {
    const outcome = await run('console.log("started"); while (true) {}', { timeLimitMs: 100 });
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'timeout' }, logs: ['started'] });
  });

  it('never blocks the main thread: it keeps running while a script spins', async () => {
    let settled = false;
    const spinning = run('while (true) {}', { timeLimitMs: 1000 }).then((outcome) => {
      settled = true;
      return outcome;
    });
    // A timer on this thread fires, and finds the script still running.
    await delay(50);
    expect(settled).toBe(false);
    expect(pool.stats()).toMatchObject({ busy: 1 });
    expect(await spinning).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
  });
});

describe('memory limit', () => {
  it.each([
    ['arrays of a million numbers', 'let a = []; while (true) a.push(new Array(1e6).fill(1))'],
    ['many small objects', 'let a = []; while (true) a.push({ n: a.length, s: "x" + a.length })'],
    ['string doubling, flattened', 'let s = "x"; while (true) s = [s, s].join("")'],
    ['string repeat', 'let a = []; while (true) a.push("y".repeat(1 << 20))'],
    ['typed arrays', 'let a = []; while (true) a.push(new Uint8Array(1 << 20))'],
    ['one huge allocation', 'return new Uint8Array(1 << 30).length'],
  ])('stops %s at the limit', async (_name, source) => {
    const outcome = await run(source, { timeLimitMs: 10_000 });
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'memory', message: 'the script ran out of memory (limit 32 MiB)', limit: 32 } });
    await expectPoolStillRuns();
  });

  it('refuses naive string doubling (QuickJS caps a string at 2^30 characters)', async () => {
    const outcome = await run('let s = "x"; while (true) s = s + s', { timeLimitMs: 10_000 });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.failure.message).toMatch(/string too long|out of memory/);
    await expectPoolStillRuns();
  });

  it('lets a script catch running out, and the next script has its full limit', async () => {
    const caught = await run('let a = []; try { while (true) a.push(new Array(1e5).fill(1)) } catch (e) { a = null; return String(e) }', { timeLimitMs: 10_000 });
    expect(caught.ok ? caught.value : caught.failure).toMatch(/out of memory/);
    // 20 MiB of a 32 MiB limit: only possible if nothing of the last run is left.
    expect(await run('const big = new Uint8Array(20 << 20); big[big.length - 1] = 7; return big[big.length - 1]')).toMatchObject({ ok: true, value: 7 });
  });

  it('applies a per-run limit', async () => {
    const source = 'const b = new Uint8Array(24 << 20); return b.length';
    expect(await run(source, { memoryLimitMb: 16 })).toMatchObject({ ok: false, failure: { kind: 'memory', limit: 16 } });
    expect(await run(source, { memoryLimitMb: 64 })).toMatchObject({ ok: true, value: 24 << 20 });
  });
});

describe('stack limit', () => {
  it.each([
    ['plain recursion', 'function f() { return f() } return f()'],
    ['recursion through toString', 'const o = {}; o.toString = () => String(o); return String(o)'],
    ['deeply nested JSON', 'return JSON.parse("[".repeat(100000))'],
    ['a self-referencing array join', 'const a = []; a[0] = a; return a.join()'],
  ])('turns %s into an error', async (_name, source) => {
    const outcome = await run(source);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'error', message: expect.stringMatching(/stack overflow/) } });
    await expectPoolStillRuns();
  });

  it('still allows ordinary recursion depth', async () => {
    expect(await run('function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1) } return depth(1000)')).toMatchObject({ ok: true, value: 1000 });
  });
});
