import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/engine/run.js';
import { fakePorts, probeNode, registryWith, runNodes, untilAborted } from './harness.js';

function completed(path: string, output: unknown, extra: Partial<JobRecord> = {}): JobRecord {
  const nodeKey = path.split('.').at(-1) as string;
  return {
    id: `job-${path}`, executionId: 'exec-1', path, nodeKey, type: 'probe', status: 'succeeded', branch: null,
    input: {}, output, error: null, attempts: 1, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}

describe('runWorkflow: resume with completedJobs', () => {
  it('does not run a node that succeeded before, reuses its output and records no job for it', async () => {
    const probe = probeNode((config) => ({ output: { value: config.value } }));
    const { outcome, jobs } = await runNodes(
      [
        { key: 'charge', type: 'probe', value: 'card' },
        { key: 'receipt', type: 'probe', value: '{{ $nodes.charge.value }}-receipt' },
      ],
      { registry: registryWith(probe), completedJobs: [completed('charge', { value: 'charged-before' })] },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(probe.calls).toEqual([{ value: 'charged-before-receipt' }]);
    expect(jobs.map((j) => j.path)).toEqual(['receipt']);
  });

  it('runs again a node whose earlier job failed', async () => {
    const probe = probeNode();
    const { jobs } = await runNodes([{ key: 'p', type: 'probe', value: 1 }], {
      registry: registryWith(probe),
      completedJobs: [completed('p', null, { status: 'failed', error: { code: 'node_failed', message: 'x' } })],
    });
    expect(probe.calls).toHaveLength(1);
    expect(jobs.map((j) => j.status)).toEqual(['succeeded']);
  });

  it('follows the branch a condition took before, even if it would now choose otherwise', async () => {
    const probe = probeNode();
    const { jobs } = await runNodes(
      [{ key: 'c', type: 'condition', if: '{{ true }}', then: [{ key: 'yes', type: 'probe' }], else: [{ key: 'no', type: 'probe' }] }],
      { registry: registryWith(probe), completedJobs: [completed('c', { result: false }, { type: 'condition', branch: 'else' })] },
    );
    expect(jobs.map((j) => j.path)).toEqual(['no']);
  });

  it('iterates over the items a loop evaluated before and skips finished iterations', async () => {
    const probe = probeNode((config) => ({ output: config.value }));
    const { jobs, job } = await runNodes(
      [
        { key: 'each', type: 'loop', over: '{{ $context.data.items }}', do: [{ key: 'child', type: 'probe', value: '{{ $item }}' }] },
        { key: 'all', type: 'set', values: { outputs: '{{ $nodes.child }}' } },
      ],
      {
        registry: registryWith(probe),
        context: { data: { items: ['changed', 'since'] } },
        completedJobs: [
          completed('each', { count: 3 }, { type: 'loop', branch: 'do', input: { over: ['a', 'b', 'c'] } }),
          completed('each[0].child', 'a'),
        ],
      },
    );
    expect(probe.calls).toEqual([{ value: 'b' }, { value: 'c' }]);
    expect(jobs.map((j) => j.path)).toEqual(['each[1].child', 'each[2].child', 'all']);
    expect(job('all').output).toEqual({ outputs: ['a', 'b', 'c'] });
  });

  it('a respond that answered before keeps later respond nodes silent', async () => {
    const { replies, jobs } = await runNodes(
      [{ key: 'first', type: 'respond', status: 202 }, { key: 'second', type: 'respond', status: 200 }],
      { completedJobs: [completed('first', { status: 202, headers: {}, body: null }, { type: 'respond' })] },
    );
    expect(replies).toEqual([]);
    expect(jobs.map((j) => j.path)).toEqual(['second']);
  });

  it('an end that ran before still ends the run', async () => {
    const probe = probeNode();
    const { outcome } = await runNodes([{ key: 'stop', type: 'end', status: 'failed' }, { key: 'p', type: 'probe' }], {
      registry: registryWith(probe),
      completedJobs: [completed('stop', { status: 'failed' }, { type: 'end' })],
    });
    expect(outcome).toEqual({ status: 'failed', error: { code: 'node_failed', message: 'node "stop" ended the run as failed', nodeKey: 'stop' } });
    expect(probe.calls).toHaveLength(0);
  });
});

describe('runWorkflow: interrupted by shutdown', () => {
  it('aborts the in-flight node, records no job for it, starts nothing more', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const probe = probeNode((config, _call, signal) => {
      if (config.value !== 'hang') return { output: config.value };
      seen.push(signal);
      setTimeout(() => controller.abort(), 5);
      return untilAborted(signal);
    });
    const { outcome, jobs } = await runNodes(
      [{ key: 'a', type: 'probe', value: 1 }, { key: 'b', type: 'probe', value: 'hang' }, { key: 'c', type: 'probe', value: 3 }],
      { registry: registryWith(probe), signal: controller.signal },
    );
    expect(outcome).toEqual({ status: 'interrupted' });
    expect(jobs.map((j) => j.path)).toEqual(['a']);
    expect(seen[0]?.aborted).toBe(true);
    expect(probe.calls).toHaveLength(2);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const probe = probeNode();
    const { outcome, jobs } = await runNodes([{ key: 'a', type: 'probe' }], { registry: registryWith(probe), signal: AbortSignal.abort() });
    expect(outcome).toEqual({ status: 'interrupted' });
    expect(jobs).toEqual([]);
    expect(probe.calls).toHaveLength(0);
  });

  it('is interrupted while waiting to retry', async () => {
    const controller = new AbortController();
    const probe = probeNode(() => {
      setTimeout(() => controller.abort(), 5);
      throw new Error('flaky');
    });
    const { outcome, jobs } = await runNodes([{ key: 'a', type: 'probe', retry: { max: 3, backoffMs: 60_000 } }], {
      registry: registryWith(probe),
      signal: controller.signal,
      ports: fakePorts({ realSleep: true }),
    });
    expect(outcome).toEqual({ status: 'interrupted' });
    expect(jobs).toEqual([]);
  });

  it('a delay node is cut short', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const { outcome } = await runNodes([{ key: 'wait', type: 'delay', ms: 60_000 }], { signal: controller.signal, ports: fakePorts({ realSleep: true }) });
    expect(outcome).toEqual({ status: 'interrupted' });
  });
});
