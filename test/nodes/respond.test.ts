import { describe, expect, it } from 'vitest';
import { runNodes } from '../engine/harness.js';

describe('respond', () => {
  it('answers with status, headers and body; the output is the reply', async () => {
    const { replies, job } = await runNodes(
      [{ key: 'reply', type: 'respond', status: 202, headers: { 'x-request': '{{ $context.headers["x-id"] }}' }, body: { got: '{{ $context.data }}' } }],
      { context: { headers: { 'x-id': 'r1' }, data: { a: 1 } } },
    );
    const reply = { status: 202, headers: { 'x-request': 'r1' }, body: { got: { a: 1 } } };
    expect(replies).toEqual([reply]);
    expect(job('reply').output).toEqual(reply);
  });

  it('defaults to 200, no headers and no body', async () => {
    const { replies } = await runNodes([{ key: 'reply', type: 'respond' }]);
    expect(replies).toEqual([{ status: 200, headers: {}, body: null }]);
  });

  it('only the first respond answers, even from parallel branches, and the run continues', async () => {
    const { replies, jobs, outcome } = await runNodes([
      { key: 'p', type: 'parallel', branches: [[{ key: 'r1', type: 'respond', status: 201 }], [{ key: 'r2', type: 'respond', status: 202 }]] },
      { key: 'later', type: 'set', values: {} },
    ]);
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(replies).toEqual([{ status: 201, headers: {}, body: null }]);
    expect(jobs.map((j) => j.path).sort()).toEqual(['later', 'p', 'r1', 'r2']);
  });
});
