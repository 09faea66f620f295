import { describe, expect, it } from 'vitest';
import { runNodes } from '../engine/harness.js';

describe('loop', () => {
  it('runs do per item in order with $item and $index; job paths carry the iteration', async () => {
    const { jobs, job } = await runNodes(
      [
        {
          key: 'each', type: 'loop', over: '{{ $context.data.users }}', do: [
            { key: 'greet', type: 'set', values: { text: 'hi {{ $item.name }} #{{ $index }}' } },
            { key: 'shout', type: 'set', values: { text: '{{ $nodes.greet.text.toUpperCase() }}' } },
          ],
        },
        { key: 'after', type: 'set', values: { greetings: '{{ $nodes.greet.map(g => g.text) }}', count: '{{ $nodes.each.count }}' } },
      ],
      { context: { data: { users: [{ name: 'ann' }, { name: 'bob' }] } } },
    );
    expect(jobs.map((j) => j.path)).toEqual(['each', 'each[0].greet', 'each[0].shout', 'each[1].greet', 'each[1].shout', 'after']);
    expect(job('each')).toMatchObject({ branch: 'do', output: { count: 2 }, input: { over: [{ name: 'ann' }, { name: 'bob' }] } });
    expect(job('each[1].shout').output).toEqual({ text: 'HI BOB #1' });
    expect(job('after').output).toEqual({ greetings: ['hi ann #0', 'hi bob #1'], count: 2 });
  });

  it('nests: inner paths include both iterations; skipped children are null afterwards', async () => {
    const { jobs, job } = await runNodes([
      {
        key: 'outer', type: 'loop', over: [[1, 2], [3]], do: [
          { key: 'inner', type: 'loop', over: '{{ $item }}', do: [
            { key: 'odd', type: 'condition', if: '{{ $item % 2 === 1 }}', then: [{ key: 'mark', type: 'set', values: { n: '{{ $item }}' } }] },
          ] },
        ],
      },
      { key: 'after', type: 'set', values: { marks: '{{ $nodes.mark }}' } },
    ]);
    expect(jobs.map((j) => j.path)).toContain('outer[1].inner[0].mark');
    expect(job('after').output).toEqual({ marks: [[{ n: 1 }, null], [{ n: 3 }]] });
  });

  it('fails when over is not a list', async () => {
    const { outcome } = await runNodes([{ key: 'each', type: 'loop', over: '{{ $context.data.nope }}', do: [] }], { context: { data: { nope: 'text' } } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'node_failed', nodeKey: 'each', message: expect.stringContaining('over must be a list') } });
  });

  it('an empty list runs nothing', async () => {
    const { jobs, job } = await runNodes([
      { key: 'each', type: 'loop', over: [], do: [{ key: 'x', type: 'set', values: {} }] },
      { key: 'after', type: 'set', values: { x: '{{ $nodes.x }}' } },
    ]);
    expect(jobs.map((j) => j.path)).toEqual(['each', 'after']);
    expect(job('after').output).toEqual({ x: [] });
  });
});
