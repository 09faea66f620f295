import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../src/engine/compile.js';
import { runWorkflow } from '../../src/engine/executor.js';
import { HookflowError, PermanentFailure } from '../../src/shared/errors.js';
import { definition, fakePorts, NOW, probeNode, registryWith, runNodes, triggerContext, untilAborted } from './harness.js';

describe('runWorkflow: order and scope', () => {
  it('runs nodes in order; $nodes, $context, $secrets and $system are in scope', async () => {
    const { outcome, jobs } = await runNodes(
      [
        { key: 'a', type: 'set', values: { n: '{{ $context.data.n }}', secret: '{{ $secrets.TOKEN }}' } },
        { key: 'b', type: 'set', values: { double: '{{ $nodes.a.n * 2 }}', exec: '{{ $system.executionId }}', wf: '{{ $system.workflowId }}', now: '{{ $system.now }}' } },
      ],
      { context: { data: { n: 21 } }, secrets: { TOKEN: 't0k' } },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(jobs.map((j) => [j.path, j.status, j.output])).toEqual([
      ['a', 'succeeded', { n: 21, secret: 't0k' }],
      ['b', 'succeeded', { double: 42, exec: 'exec-1', wf: 'wf-1', now: NOW.toISOString() }],
    ]);
    expect(jobs[1]).toMatchObject({
      executionId: 'exec-1', nodeKey: 'b', type: 'set', branch: null, error: null, attempts: 1,
      input: { values: { double: 42, exec: 'exec-1', wf: 'wf-1', now: NOW.toISOString() } },
      startedAt: NOW.toISOString(), finishedAt: NOW.toISOString(),
    });
  });

  it('awaits onJob before the next node starts', async () => {
    const events: string[] = [];
    const probe = probeNode((config) => {
      events.push(`run ${String(config.value)}`);
      return { output: null };
    });
    const compiled = compileWorkflow(definition([{ key: 'one', type: 'probe', value: 1 }, { key: 'two', type: 'probe', value: 2 }]), registryWith(probe));
    await runWorkflow(compiled, {
      executionId: 'e', workflowId: 'w', workflowVersion: 1, context: triggerContext(), secrets: {},
      onJob: async (job) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`committed ${job.nodeKey}`);
      },
      onRespond: () => {},
    }, fakePorts());
    expect(events).toEqual(['run 1', 'committed one', 'run 2', 'committed two']);
  });

  it('rejects when onJob throws, and starts nothing after it', async () => {
    const probe = probeNode();
    const compiled = compileWorkflow(definition([{ key: 'one', type: 'probe' }, { key: 'two', type: 'probe' }]), registryWith(probe));
    const run = runWorkflow(compiled, {
      executionId: 'e', workflowId: 'w', workflowVersion: 1, context: triggerContext(), secrets: {},
      onJob: () => Promise.reject(new Error('database is gone')),
      onRespond: () => {},
    }, fakePorts());
    await expect(run).rejects.toThrow('database is gone');
    expect(probe.calls).toHaveLength(1);
  });
});

describe('runWorkflow: retry', () => {
  it('retries with exponential backoff through ports.sleep', async () => {
    const probe = probeNode((_config, call) => {
      if (call < 3) throw new HookflowError('node_failed', `flaky ${call}`);
      return { output: { call } };
    });
    const { outcome, job, ports } = await runNodes([{ key: 'p', type: 'probe', retry: { max: 4, backoffMs: 100 } }], { registry: registryWith(probe) });
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(job('p')).toMatchObject({ status: 'succeeded', attempts: 3, output: { call: 3 } });
    expect(ports.sleeps).toEqual([100, 200]);
  });

  it('gives up after 1 + max attempts with the last error', async () => {
    const probe = probeNode((_config, call) => {
      throw new HookflowError('node_failed', `failure ${call}`);
    });
    const { outcome, job, ports } = await runNodes([{ key: 'p', type: 'probe', retry: { max: 2, backoffMs: 10 } }], { registry: registryWith(probe) });
    expect(outcome).toEqual({ status: 'failed', error: { code: 'node_failed', message: 'failure 3', nodeKey: 'p' } });
    expect(job('p')).toMatchObject({ status: 'failed', attempts: 3, output: null, error: { code: 'node_failed', message: 'failure 3' } });
    expect(ports.sleeps).toEqual([10, 20]);
  });

  it('stops retrying on PermanentFailure', async () => {
    const probe = probeNode(() => {
      throw new PermanentFailure('node_failed', 'will never work');
    });
    const { job, ports } = await runNodes([{ key: 'p', type: 'probe', retry: { max: 5 } }], { registry: registryWith(probe) });
    expect(job('p')).toMatchObject({ attempts: 1, error: { message: 'will never work' } });
    expect(ports.sleeps).toEqual([]);
  });

  it('records a thrown non-Hookflow error as internal', async () => {
    const probe = probeNode(() => {
      throw new TypeError('x is not a function');
    });
    const { outcome } = await runNodes([{ key: 'p', type: 'probe' }], { registry: registryWith(probe) });
    expect(outcome).toEqual({ status: 'failed', error: { code: 'internal', message: 'x is not a function', nodeKey: 'p' } });
  });
});

describe('runWorkflow: timeoutMs', () => {
  it('aborts the node signal and fails with node_timeout', async () => {
    const signals: AbortSignal[] = [];
    const probe = probeNode((_config, _call, signal) => {
      signals.push(signal);
      return untilAborted(signal);
    });
    const started = Date.now();
    const { outcome, job } = await runNodes([{ key: 'slow', type: 'probe', timeoutMs: 20, retry: { max: 1, backoffMs: 0 } }], { registry: registryWith(probe) });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(outcome).toEqual({
      status: 'failed',
      error: { code: 'node_timeout', message: 'node "slow" ran past its timeoutMs (20 ms)', nodeKey: 'slow' },
    });
    expect(job('slow').attempts).toBe(2);
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
  });

  it('does not wait for a node that ignores its signal', async () => {
    const probe = probeNode(() => new Promise(() => {}));
    const { outcome } = await runNodes([{ key: 'stuck', type: 'probe', timeoutMs: 10 }], { registry: registryWith(probe) });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'node_timeout' } });
  });
});

describe('runWorkflow: onError', () => {
  const failing = () => probeNode((config) => {
    if (config.value === 'fail') throw new HookflowError('node_failed', 'it broke');
    return { output: config };
  });

  it('continue: records the failure, exposes it as $nodes.key.error and goes on', async () => {
    const { outcome, jobs, job } = await runNodes(
      [
        { key: 'bad', type: 'probe', value: 'fail', onError: 'continue' },
        { key: 'after', type: 'set', values: { saw: '{{ $nodes.bad.error.code }}: {{ $nodes.bad.error.message }}' } },
      ],
      { registry: registryWith(failing()) },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(job('bad')).toMatchObject({ status: 'failed', error: { code: 'node_failed', message: 'it broke', nodeKey: 'bad' } });
    expect(job('after').output).toEqual({ saw: 'node_failed: it broke' });
    expect(jobs).toHaveLength(2);
  });

  it('stop (default): fails the run naming the node; later nodes do not run', async () => {
    const { outcome, jobs } = await runNodes(
      [{ key: 'bad', type: 'probe', value: 'fail' }, { key: 'after', type: 'set', values: {} }],
      { registry: registryWith(failing()) },
    );
    expect(outcome).toEqual({ status: 'failed', error: { code: 'node_failed', message: 'it broke', nodeKey: 'bad' } });
    expect(jobs.map((j) => j.nodeKey)).toEqual(['bad']);
  });

  it('a template that fails at run time fails the node without running it', async () => {
    const probe = probeNode();
    const { outcome, job } = await runNodes([{ key: 'p', type: 'probe', value: '{{ $context.data.missing.toUpperCase() }}', retry: { max: 3 } }], { registry: registryWith(probe) });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'expression_error', nodeKey: 'p' } });
    expect(job('p')).toMatchObject({ status: 'failed', input: null, attempts: 0 });
    expect(probe.calls).toHaveLength(0);
  });

  it('a template whose value breaks the schema fails the node with the field named', async () => {
    const { outcome } = await runNodes([{ key: 'r', type: 'respond', status: '{{ $context.data.code }}' }], { context: { data: { code: 'abc' } } });
    expect(outcome).toEqual({
      status: 'failed',
      error: { code: 'node_failed', message: 'after evaluating templates: status must be an integer', nodeKey: 'r', details: [{ path: 'status', message: 'must be an integer' }] },
    });
  });

  it('a node type breaking the contract fails its node as internal', async () => {
    const probe = probeNode(() => ({ output: 1, branch: 'nowhere' }));
    const { outcome } = await runNodes([{ key: 'p', type: 'probe' }], { registry: registryWith(probe) });
    expect(outcome).toEqual({ status: 'failed', error: { code: 'internal', message: 'node type "probe" chose unknown branch "nowhere"', nodeKey: 'p' } });
  });
});

describe('runWorkflow: responses', () => {
  it('the first respond node answers; the run goes on; later respond nodes are recorded only', async () => {
    const { outcome, replies, jobs } = await runNodes([
      { key: 'first', type: 'respond', status: 202, body: { id: '{{ $system.executionId }}' } },
      { key: 'work', type: 'set', values: { done: true } },
      { key: 'second', type: 'respond', status: 500 },
    ]);
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(replies).toEqual([{ status: 202, headers: {}, body: { id: 'exec-1' } }]);
    expect(jobs.map((j) => j.nodeKey)).toEqual(['first', 'work', 'second']);
  });

  it('without a respond node, a sync run that succeeds answers with the evaluated trigger.response', async () => {
    const trigger = { response: { status: 201, headers: { 'x-n': '{{ String($nodes.s.n) }}' }, body: { n: '{{ $nodes.s.n }}' } } };
    const nodes = [{ key: 's', type: 'set', values: { n: 7 } }];
    expect((await runNodes(nodes, { trigger })).replies).toEqual([{ status: 201, headers: { 'x-n': '7' }, body: { n: 7 } }]);
    expect((await runNodes(nodes, { trigger: { ...trigger, mode: 'async' } })).replies).toEqual([]);
    const failed = await runNodes([...nodes, { key: 'e', type: 'end', status: 'failed' }], { trigger });
    expect(failed.replies).toEqual([]);
  });

  it('a trigger.response that evaluates badly fails the run', async () => {
    const { outcome } = await runNodes([], { trigger: { response: { status: '{{ "x" }}' } } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'run_failed', message: 'after evaluating templates: trigger.response.status must be an integer' } });
  });
});
