import { describe, expect, it } from 'vitest';
import { fakePorts, runNodes } from '../engine/harness.js';

describe('delay', () => {
  it('sleeps ms through ports.sleep', async () => {
    const { ports, job } = await runNodes([{ key: 'wait', type: 'delay', ms: '{{ $context.data.ms }}' }], { context: { data: { ms: 1500 } } });
    expect(ports.sleeps).toEqual([1500]);
    expect(job('wait').output).toEqual({ ms: 1500 });
  });

  it('is cut short by its timeoutMs', async () => {
    const started = Date.now();
    const { outcome } = await runNodes([{ key: 'wait', type: 'delay', ms: 60_000, timeoutMs: 10 }], { ports: fakePorts({ realSleep: true }) });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'node_timeout', nodeKey: 'wait' } });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
