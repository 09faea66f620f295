/**
 * The `code` node through the engine, against the real QuickJS pool: its
 * output, what it sees, its logs on the job, and how each way a script can
 * fail becomes a job error.
 */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/engine/validate.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';
import { definition, fakePorts, runNodes } from '../engine/harness.js';
import { testSandbox } from '../helpers/test-sandbox.js';

describe('code', () => {
  it('outputs what the script returns, for later nodes to use', async () => {
    const { outcome, job } = await runNodes(
      [
        { key: 'first', type: 'set', values: { greeting: 'hello' } },
        { key: 'calc', type: 'code', source: 'const total = $context.data.items.reduce((s, i) => s + i.price, 0);\nreturn { total, greeting: $nodes.first.greeting, method: context.method };' },
        { key: 'after', type: 'set', values: { total: '{{ $nodes.calc.total }}' } },
      ],
      { context: { data: { items: [{ price: 2 }, { price: 3.5 }] } } },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(job('calc').output).toEqual({ total: 5.5, greeting: 'hello', method: 'POST' });
    expect(job('after').output).toEqual({ total: 5.5 });
  });

  it('sees $item and $index inside a loop', async () => {
    const { job } = await runNodes([
      { key: 'each', type: 'loop', over: '{{ ["a", "b"] }}', do: [{ key: 'upper', type: 'code', source: 'return `${$index}:${$item.toUpperCase()}`' }] },
    ]);
    expect(job('each[0].upper').output).toBe('0:A');
    expect(job('each[1].upper').output).toBe('1:B');
  });

  it('takes its source as written: templates in it are not evaluated', async () => {
    const { job } = await runNodes([{ key: 'c', type: 'code', source: 'return "{{ $secrets.TOKEN }}"' }], { secrets: { TOKEN: 'hidden' } });
    expect(job('c').input).toEqual({ source: 'return "{{ $secrets.TOKEN }}"' });
    expect(job('c').output).toBe('{{ $secrets.TOKEN }}');
  });

  it('keeps console lines on the job, when it succeeds and when it fails', async () => {
    const ok = await runNodes([{ key: 'c', type: 'code', source: 'console.log("got", $context.data.n); console.warn("odd"); return 1' }], { context: { data: { n: 4 } } });
    expect(ok.job('c').logs).toEqual(['got 4', '[warn] odd']);
    const quiet = await runNodes([{ key: 'c', type: 'code', source: 'return 1' }]);
    expect(quiet.job('c')).not.toHaveProperty('logs');
    const failed = await runNodes([{ key: 'c', type: 'code', source: 'console.log("checking");\nthrow new Error("no customer id")' }]);
    expect(failed.job('c')).toMatchObject({ status: 'failed', logs: ['checking'], error: { code: 'script_error', message: 'Error: no customer id (line 2)', details: { line: 2 } } });
  });

  it('fails a run on a thrown error, naming the node, unless onError says continue', async () => {
    const stopped = await runNodes([{ key: 'c', type: 'code', source: 'return $context.data.missing.id' }]);
    expect(stopped.outcome).toMatchObject({ status: 'failed', error: { code: 'script_error', nodeKey: 'c', message: expect.stringMatching(/^TypeError: .* \(line 1\)$/) } });
    const continued = await runNodes([
      { key: 'c', type: 'code', onError: 'continue', source: 'throw new Error("soft")' },
      { key: 'next', type: 'set', values: { saw: '{{ $nodes.c.error.message }}' } },
    ]);
    expect(continued.outcome).toEqual({ status: 'succeeded' });
    expect(continued.job('next').output).toEqual({ saw: 'Error: soft (line 1)' });
  });

  it('does not retry a script that does not compile, but retries one that throws', async () => {
    const syntax = await runNodes([{ key: 'c', type: 'code', retry: { max: 2, backoffMs: 1 }, source: 'return (' }]);
    expect(syntax.job('c')).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'script_error', message: expect.stringMatching(/^SyntaxError: /) } });
    const thrown = await runNodes([{ key: 'c', type: 'code', retry: { max: 2, backoffMs: 1 }, source: 'throw new Error("flaky")' }]);
    expect(thrown.job('c')).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('fails with node_timeout at its time limit, naming the limit', async () => {
    const { job } = await runNodes([{ key: 'spin', type: 'code', timeLimitMs: 100, source: 'console.log("spinning"); while (true) {}' }]);
    expect(job('spin')).toMatchObject({
      status: 'failed',
      logs: ['spinning'],
      error: { code: 'node_timeout', message: 'the script ran past its time limit (100 ms)', details: { timeLimitMs: 100 } },
    });
  });

  it('fails with script_memory_limit at its memory limit', async () => {
    const { job } = await runNodes([{ key: 'bomb', type: 'code', memoryLimitMb: 16, timeLimitMs: 10_000, source: 'const a = []; while (true) a.push(new Array(1e5).fill(0))' }]);
    expect(job('bomb').error).toMatchObject({ code: 'script_memory_limit', message: 'the script ran out of memory (limit 16 MiB)', details: { memoryLimitMb: 16 } });
  });

  it('is stopped by the engine\'s own timeoutMs when that comes first, freeing its worker', async () => {
    const { job } = await runNodes([{ key: 'spin', type: 'code', timeoutMs: 50, timeLimitMs: 60_000, source: 'while (true) {}' }]);
    expect(job('spin').error).toMatchObject({ code: 'node_timeout', message: 'node "spin" ran past its timeoutMs (50 ms)' });
    // The script was cancelled, not left spinning for its 60 s: both workers take new scripts.
    const sandbox = testSandbox();
    while (sandbox.stats().busy > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const [a, b] = await Promise.all([runNodes([{ key: 'a', type: 'code', source: 'return 1' }]), runNodes([{ key: 'b', type: 'code', source: 'return 2' }])]);
    expect([a.job('a').output, b.job('b').output]).toEqual([1, 2]);
  });

  it('reports a sandbox that is shut down as unavailable', async () => {
    const closed = { run: async () => ({ ok: false as const, failure: { kind: 'unavailable' as const, message: 'the sandbox is shut down' }, logs: [] }) };
    const { job } = await runNodes([{ key: 'c', type: 'code', source: 'return 1' }], { ports: fakePorts({ sandbox: closed }) });
    expect(job('c').error).toMatchObject({ code: 'unavailable', message: 'the sandbox is shut down' });
  });

  it('validates its fields', () => {
    const registry = createDefaultRegistry();
    const problems = (fields: Record<string, unknown>) => {
      const result = validateDefinition(definition([{ key: 'c', type: 'code', ...fields }]), registry);
      return result.ok ? [] : result.problems.map((p) => p.path);
    };
    expect(problems({ source: 'return 1', timeoutMs: 5000, timeLimitMs: 2000, memoryLimitMb: 128 })).toEqual([]);
    expect(problems({})).toContain('nodes[0].source');
    expect(problems({ source: '' })).toContain('nodes[0].source');
    expect(problems({ source: 'return 1', memoryLimitMb: 8 })).toContain('nodes[0].memoryLimitMb');
    expect(problems({ source: 'return 1', timeLimitMs: 0 })).toContain('nodes[0].timeLimitMs');
  });
});
