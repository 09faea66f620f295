import { describe, expect, it } from 'vitest';
import { runNodes } from '../engine/harness.js';

describe('set', () => {
  it('outputs the evaluated values, keeping the type of whole templates', async () => {
    const { job } = await runNodes(
      [{ key: 'branch', type: 'set', values: { name: "{{ $context.data.ref.replace('refs/heads/', '') }}", count: '{{ $context.data.commits.length }}', label: 'n={{ $context.data.commits.length }}', fixed: [1, { two: 2 }] } }],
      { context: { data: { ref: 'refs/heads/main', commits: [{}, {}] } } },
    );
    expect(job('branch').output).toEqual({ name: 'main', count: 2, label: 'n=2', fixed: [1, { two: 2 }] });
  });

  it('keeps {{ inside data as text: data is never evaluated', async () => {
    const { job } = await runNodes([{ key: 's', type: 'set', values: { text: '{{ $context.data.text }}' } }], { context: { data: { text: '{{ $secrets.X }}' } }, secrets: { X: 'secret' } });
    expect(job('s').output).toEqual({ text: '{{ $secrets.X }}' });
  });
});
