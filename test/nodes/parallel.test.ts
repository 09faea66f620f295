import { describe, expect, it } from 'vitest';
import { HookflowError } from '../../src/shared/errors.js';
import { fakePorts, probeNode, registryWith, runNodes } from '../engine/harness.js';

describe('parallel', () => {
  it('runs branches concurrently, each in order, and waits for all', async () => {
    const events: string[] = [];
    const probe = probeNode(async (config) => {
      events.push(`start ${String(config.value)}`);
      await new Promise((resolve) => setTimeout(resolve, Number(config.n ?? 0)));
      events.push(`end ${String(config.value)}`);
      return { output: config.value };
    });
    const { outcome, job } = await runNodes(
      [
        {
          key: 'fan', type: 'parallel', branches: [
            [{ key: 'a1', type: 'probe', value: 'a1', n: 20 }, { key: 'a2', type: 'probe', value: 'a2' }],
            [{ key: 'b1', type: 'probe', value: 'b1', n: 1 }],
          ],
        },
        { key: 'join', type: 'set', values: { all: '{{ [$nodes.a2, $nodes.b1] }}' } },
      ],
      { registry: registryWith(probe) },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(events.slice(0, 2)).toEqual(['start a1', 'start b1']);
    expect(events.indexOf('end b1')).toBeLessThan(events.indexOf('end a1'));
    expect(job('fan')).toMatchObject({ branch: 'branches', output: {} });
    expect(job('join').output).toEqual({ all: ['a2', 'b1'] });
  });

  it('a failing branch fails the run only after the other branches settle', async () => {
    const probe = probeNode(async (config) => {
      if (config.value === 'fail') throw new HookflowError('node_failed', 'branch a broke');
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { output: config.value };
    });
    const { outcome, jobs } = await runNodes(
      [
        {
          key: 'fan', type: 'parallel', branches: [
            [{ key: 'a1', type: 'probe', value: 'fail' }, { key: 'a2', type: 'probe', value: 'never' }],
            [{ key: 'b1', type: 'probe', value: 'b1' }, { key: 'b2', type: 'probe', value: 'b2' }],
          ],
        },
        { key: 'after', type: 'probe', value: 'never' },
      ],
      { registry: registryWith(probe), ports: fakePorts() },
    );
    expect(outcome).toEqual({ status: 'failed', error: { code: 'node_failed', message: 'branch a broke', nodeKey: 'a1' } });
    expect(jobs.map((j) => `${j.path}:${j.status}`)).toEqual(['fan:succeeded', 'a1:failed', 'b1:succeeded', 'b2:succeeded']);
  });

  it('a failure with onError continue in one branch does not stop the others', async () => {
    const probe = probeNode((config) => {
      if (config.value === 'fail') throw new HookflowError('node_failed', 'soft');
      return { output: config.value };
    });
    const { outcome, jobs } = await runNodes(
      [{
        key: 'fan', type: 'parallel', branches: [
          [{ key: 'a1', type: 'probe', value: 'fail' }],
          [{ key: 'b1', type: 'probe', value: 'fail', onError: 'continue' }, { key: 'b2', type: 'probe', value: 'b2' }],
        ],
      }],
      { registry: registryWith(probe) },
    );
    expect(outcome).toMatchObject({ status: 'failed', error: { nodeKey: 'a1' } });
    expect(jobs.map((j) => j.path)).toContain('b2');
  });

  it('an end in one branch stops the other branches before their next node', async () => {
    const probe = probeNode(async (config) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { output: config.value };
    });
    const { outcome, jobs } = await runNodes(
      [
        {
          key: 'fan', type: 'parallel', branches: [
            [{ key: 'stop', type: 'end' }],
            [{ key: 'b1', type: 'probe', value: 1 }, { key: 'b2', type: 'probe', value: 2 }],
          ],
        },
        { key: 'after', type: 'probe' },
      ],
      { registry: registryWith(probe) },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(jobs.map((j) => j.path)).toEqual(['fan', 'stop', 'b1']);
  });
});
