/**
 * The pool's own machinery, with a stub worker whose behaviour each test
 * picks: queueing, defaults, cancelling, the wall-clock backstop, healing
 * after a crash, a worker that cannot start, and shutting down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxPool, type SandboxPool, type SandboxPoolOptions } from '../../src/sandbox/sandbox-pool.js';

const stub = { url: new URL('./fixtures/stub-worker.mjs', import.meta.url) };
const globals = { $context: {}, $nodes: {} };
const pools: SandboxPool[] = [];

function pool(options: Partial<SandboxPoolOptions> = {}): SandboxPool {
  const created = createSandboxPool({ size: 1, timeLimitMs: 100, memoryLimitMb: 32, backstopMarginMs: 200, entry: stub, ...options });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('sandbox pool', () => {
  it('refuses a size below 1 and a memory limit below 16 MiB', () => {
    expect(() => createSandboxPool({ size: 0, timeLimitMs: 1, memoryLimitMb: 64 })).toThrow(/at least 1 worker/);
    expect(() => createSandboxPool({ size: 1, timeLimitMs: 1, memoryLimitMb: 8 })).toThrow(/at least 16 MiB/);
  });

  it('applies its defaults and a request\'s own limits', async () => {
    const sandbox = pool();
    expect(await sandbox.run({ source: 'a', globals })).toEqual({ ok: true, value: { echo: 'a', timeLimitMs: 100, memoryLimitMb: 32 }, logs: [] });
    expect(await sandbox.run({ source: 'b', globals, timeLimitMs: 5, memoryLimitMb: 4 })).toMatchObject({ value: { timeLimitMs: 5, memoryLimitMb: 16 } });
  });

  it('queues runs beyond its size and runs them in order', async () => {
    const sandbox = pool({ size: 2 });
    const finished: string[] = [];
    await Promise.all(['slow-1', 'slow-2', 'slow-3', 'slow-4'].map((source) => sandbox.run({ source, globals }).then(() => finished.push(source))));
    expect(finished).toHaveLength(4);
    expect(finished.slice(2).sort()).toEqual(['slow-3', 'slow-4']);
    expect(sandbox.stats()).toMatchObject({ workers: 2, busy: 0, queued: 0 });
  });

  it('cancels a queued run and a running one when their signal aborts', async () => {
    const sandbox = pool({ backstopMarginMs: 5000, timeLimitMs: 5000 });
    const running = new AbortController();
    const queued = new AbortController();
    const first = sandbox.run({ source: 'hang', globals, signal: running.signal });
    const second = sandbox.run({ source: 'never', globals, signal: queued.signal });
    queued.abort();
    expect(await second).toMatchObject({ ok: false, failure: { kind: 'cancelled' } });
    running.abort();
    expect(await first).toMatchObject({ ok: false, failure: { kind: 'cancelled' } });
    expect(await sandbox.run({ source: 'x', globals, signal: AbortSignal.abort() })).toMatchObject({ failure: { kind: 'cancelled' } });
  });

  it('terminates a worker that does not answer by limit + margin, and the next run gets a new one', async () => {
    const sandbox = pool();
    const outcome = await sandbox.run({ source: 'hang', globals });
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'timeout', limit: 100, message: expect.stringMatching(/worker was replaced/) } });
    expect(sandbox.stats()).toMatchObject({ replaced: 1 });
    expect(await sandbox.run({ source: 'after', globals })).toMatchObject({ ok: true, value: { echo: 'after' } });
  });

  it('reports a worker that dies mid-run, and heals', async () => {
    const sandbox = pool();
    expect(await sandbox.run({ source: 'exit', globals })).toMatchObject({ ok: false, failure: { kind: 'crashed', message: expect.stringMatching(/exited with code 3/) } });
    expect(await sandbox.run({ source: 'throw', globals })).toMatchObject({ ok: false, failure: { kind: 'crashed', message: expect.stringMatching(/stub worker blew up/) } });
    expect(await sandbox.run({ source: 'after', globals })).toMatchObject({ ok: true });
    expect(sandbox.stats()).toMatchObject({ workers: 1, replaced: 2 });
  });

  it('fails waiting runs when no worker can start, and tries again on the next run', async () => {
    const sandbox = pool({ entry: { eval: 'throw new Error("broken install")' }, size: 2 });
    const outcomes = await Promise.all([sandbox.run({ source: 'a', globals }), sandbox.run({ source: 'b', globals })]);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: false, failure: { kind: 'unavailable', message: expect.stringMatching(/broken install/) } });
    expect(await sandbox.run({ source: 'c', globals })).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
  });

  it('refuses input that is not JSON', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await pool().run({ source: 'a', globals: { $context: cyclic, $nodes: {} } })).toMatchObject({ ok: false, failure: { kind: 'error', message: expect.stringMatching(/not JSON-serialisable/) } });
  });

  it('on close, stops running scripts and refuses new ones', async () => {
    const sandbox = pool({ timeLimitMs: 5000 });
    const running = sandbox.run({ source: 'hang', globals });
    const waiting = sandbox.run({ source: 'a', globals });
    while (sandbox.stats().busy === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await sandbox.close();
    expect(await running).toMatchObject({ ok: false, failure: { kind: 'cancelled' } });
    expect(await waiting).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
    expect(await sandbox.run({ source: 'b', globals })).toMatchObject({ ok: false, failure: { kind: 'unavailable', message: 'the sandbox is shut down' } });
    expect(sandbox.stats()).toMatchObject({ workers: 0 });
  });
});
