import { describe, expect, it } from 'vitest';
import { runNodes } from '../engine/harness.js';

describe('end', () => {
  it('stops the run as succeeded by default', async () => {
    const { outcome, jobs, job } = await runNodes([{ key: 'stop', type: 'end' }, { key: 'never', type: 'set', values: {} }]);
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(jobs.map((j) => j.path)).toEqual(['stop']);
    expect(job('stop')).toMatchObject({ status: 'succeeded', output: { status: 'succeeded' } });
  });

  it('failed: the run fails with an error naming the end node and its message', async () => {
    const { outcome } = await runNodes([
      { key: 'check', type: 'condition', if: '{{ !$context.data.email }}', then: [{ key: 'reject', type: 'end', status: 'failed', message: 'email is required' }] },
      { key: 'never', type: 'set', values: {} },
    ]);
    expect(outcome).toEqual({ status: 'failed', error: { code: 'node_failed', message: 'email is required', nodeKey: 'reject' } });
  });

  it('inside a loop, stops the whole run', async () => {
    const { jobs } = await runNodes([
      { key: 'each', type: 'loop', over: [1, 2, 3], do: [{ key: 'c', type: 'condition', if: '{{ $item === 2 }}', then: [{ key: 'stop', type: 'end' }] }] },
      { key: 'never', type: 'set', values: {} },
    ]);
    expect(jobs.map((j) => j.path)).toEqual(['each', 'each[0].c', 'each[1].c', 'each[1].stop']);
  });
});
