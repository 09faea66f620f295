import { afterEach, describe, expect, it } from 'vitest';
import { createHttpPort } from '../../src/engine/http-port.js';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/nodes/http/retry-after.js';
import { fakePorts, NOW, runNodes } from '../engine/harness.js';
import { jsonReply, startHttpPeer, type HttpPeer, type PeerReply } from '../helpers/http-peer.js';

let peer: HttpPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** A peer answering its n-th request with `script[n - 1]` (then the last entry again). */
async function scripted(...script: PeerReply[]): Promise<HttpPeer> {
  peer = await startHttpPeer((_req, n) => script[Math.min(n, script.length) - 1]!);
  return peer;
}

// fakePorts records each sleep the engine asks for and returns at once: the
// assertions below are on the delays requested, and the tests never wait.
const run = (url: string, retry?: { max: number; backoffMs?: number }) =>
  runNodes([{ key: 'call', type: 'http', method: 'POST', url, body: { n: 1 }, ...(retry ? { retry } : {}) }], { ports: fakePorts({ http: createHttpPort() }) });

describe('http node retries (through the engine\'s retry)', () => {
  it('retries a 5xx, then succeeds', async () => {
    const p = await scripted({ status: 503 }, jsonReply({ ok: true }));
    const { outcome, job, ports } = await run(`${p.url}/x`, { max: 3, backoffMs: 10 });
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(job('call')).toMatchObject({ attempts: 2, output: { status: 200, body: { ok: true } } });
    expect(ports.sleeps).toEqual([10]);
    expect(p.requests.map((r) => r.body)).toEqual(['{"n":1}', '{"n":1}']);
  });

  it('retries a network error (connection closed without an answer), then succeeds', async () => {
    const p = await scripted('drop', 'drop', jsonReply({ ok: true }));
    const { outcome, job, ports } = await run(`${p.url}/x`, { max: 2, backoffMs: 10 });
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(job('call').attempts).toBe(3);
    expect(ports.sleeps).toEqual([10, 20]);
  });

  it('waits at least Retry-After (seconds) on a 429', async () => {
    const p = await scripted({ status: 429, headers: { 'retry-after': '3' } }, { status: 200 });
    const { outcome, ports } = await run(`${p.url}/x`, { max: 1, backoffMs: 10 });
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(ports.sleeps).toEqual([3000]);
  });

  it('reads Retry-After as an HTTP date against the clock port', async () => {
    const at = new Date(NOW.getTime() + 7000).toUTCString();
    const p = await scripted({ status: 503, headers: { 'retry-after': at } }, { status: 200 });
    const { ports } = await run(`${p.url}/x`, { max: 1, backoffMs: 10 });
    expect(ports.sleeps).toEqual([7000]);
  });

  it('keeps its own backoff when Retry-After asks for less', async () => {
    const p = await scripted({ status: 503, headers: { 'retry-after': '0' } }, { status: 503, headers: { 'retry-after': '0' } }, { status: 200 });
    const { ports, job } = await run(`${p.url}/x`, { max: 2, backoffMs: 5 });
    expect(job('call').attempts).toBe(3);
    expect(ports.sleeps).toEqual([5, 10]);
  });

  it('fails at once when Retry-After is past the cap', async () => {
    const p = await scripted({ status: 429, headers: { 'retry-after': '3600' } });
    const { outcome, job, ports } = await run(`${p.url}/x`, { max: 3, backoffMs: 10 });
    expect(outcome).toMatchObject({
      status: 'failed',
      error: {
        code: 'node_failed',
        message: `POST ${p.url}/x answered 429 and asks to wait 3600 s (Retry-After), longer than the ${MAX_RETRY_AFTER_MS / 1000} s Hookflow waits`,
        details: { status: 429, retryAfterMs: 3_600_000 },
      },
    });
    expect(job('call').attempts).toBe(1);
    expect(ports.sleeps).toEqual([]);
  });

  it('never retries on its own: without retry, one request', async () => {
    const p = await scripted({ status: 503, headers: { 'retry-after': '1' } });
    const { outcome } = await run(`${p.url}/x`);
    expect(outcome).toMatchObject({ status: 'failed', error: { message: `POST ${p.url}/x answered 503 (Retry-After 1 s)` } });
    expect(p.requests).toHaveLength(1);
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    const p = await scripted({ status: 422, headers: { 'retry-after': '1' } });
    const { job } = await run(`${p.url}/x`, { max: 3 });
    expect(job('call').attempts).toBe(1);
    expect(p.requests).toHaveLength(1);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates; ignores the rest', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter(new Date(NOW.getTime() + 1500).toUTCString(), NOW)).toBe(1000); // HTTP dates have whole seconds
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});
