import { describe, expect, it } from 'vitest';
import { runNodes } from '../engine/harness.js';

const nodes = [
  {
    key: 'isMain',
    type: 'condition',
    if: "{{ $context.data.ref === 'refs/heads/main' }}",
    then: [{ key: 'deploy', type: 'set', values: { deployed: true } }],
    else: [{ key: 'skip', type: 'set', values: { deployed: false } }],
  },
  { key: 'after', type: 'set', values: { deployed: '{{ $nodes.deploy.deployed ?? $nodes.skip.deployed }}' } },
];

describe('condition', () => {
  it('runs then when if is truthy, and records the branch', async () => {
    const { jobs, job } = await runNodes(nodes, { context: { data: { ref: 'refs/heads/main' } } });
    expect(jobs.map((j) => j.path)).toEqual(['isMain', 'deploy', 'after']);
    expect(job('isMain')).toMatchObject({ branch: 'then', output: { result: true }, input: { if: true } });
    expect(job('after').output).toEqual({ deployed: true });
  });

  it('runs else when if is falsy', async () => {
    const { jobs, job } = await runNodes(nodes, { context: { data: { ref: 'refs/heads/dev' } } });
    expect(jobs.map((j) => j.path)).toEqual(['isMain', 'skip', 'after']);
    expect(job('isMain')).toMatchObject({ branch: 'else', output: { result: false } });
  });

  it('treats a missing branch as empty and takes truthiness from any value', async () => {
    const { jobs, job } = await runNodes([{ key: 'c', type: 'condition', if: '{{ $context.data.items }}' }], { context: { data: { items: [] } } });
    expect(jobs).toHaveLength(1);
    expect(job('c').output).toEqual({ result: true });
    const literal = await runNodes([{ key: 'c', type: 'condition', if: false, then: [{ key: 'x', type: 'end', status: 'failed' }] }]);
    expect(literal.outcome).toEqual({ status: 'succeeded' });
  });
});
