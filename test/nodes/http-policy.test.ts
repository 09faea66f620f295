import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressPolicy, RECOMMENDED_DENY, type AddressPolicy } from '../../src/engine/address-policy.js';
import { createHttpPort } from '../../src/engine/http-port.js';
import { fakePorts, runNodes } from '../engine/harness.js';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.js';

let peer: HttpPeer;
beforeAll(async () => {
  peer = await startHttpPeer((req) => (req.path === '/redirect' ? { status: 302, headers: { location: 'http://10.0.0.1/admin' } } : { body: 'reached' }));
});
afterAll(() => peer.close());

const call = async (policy: AddressPolicy, url: string) => {
  const before = peer.requests.length;
  const run = await runNodes([{ key: 'call', type: 'http', method: 'POST', url, body: 'x', retry: { max: 3, backoffMs: 1 } }], {
    ports: fakePorts({ http: createHttpPort({ policy }) }),
  });
  return { ...run, reached: peer.requests.length - before };
};

const loopbackDenied = createAddressPolicy({ deny: RECOMMENDED_DENY });

describe('outbound address policy on the http node', () => {
  it('refuses a denied IP in the URL before connecting, without retrying', async () => {
    const { outcome, job, reached } = await call(loopbackDenied, `${peer.url}/x?token=t`);
    expect(outcome).toEqual({
      status: 'failed',
      error: {
        code: 'node_failed',
        nodeKey: 'call',
        message: `POST ${peer.url}/x refused: connecting to 127.0.0.1 is not allowed by HOOKFLOW_HTTP_DENY (127.0.0.0/8)`,
        details: { address: '127.0.0.1', rule: '127.0.0.0/8' },
      },
    });
    expect(job('call').attempts).toBe(1);
    expect(reached).toBe(0);
  });

  it('refuses a host name that resolves to a denied address (localhost)', async () => {
    const { outcome, reached } = await call(loopbackDenied, `http://localhost:${peer.port}/x`);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/^POST http:\/\/localhost:\d+\/x refused: connecting to localhost \((127\.0\.0\.1|::1)\) is not allowed by HOOKFLOW_HTTP_DENY/) },
    });
    expect(reached).toBe(0);
  });

  it('refuses other spellings of a denied address', async () => {
    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '[::1]']) {
      const { outcome, reached } = await call(loopbackDenied, `http://${host}:${peer.port}/x`);
      expect(outcome, host).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('is not allowed by HOOKFLOW_HTTP_DENY') } });
      expect(reached, host).toBe(0);
    }
  });

  it('lets an allowed address through a deny list (allow wins)', async () => {
    const policy = createAddressPolicy({ deny: RECOMMENDED_DENY, allow: ['127.0.0.1'] });
    const { outcome, job, reached } = await call(policy, `${peer.url}/x`);
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(job('call').output).toMatchObject({ status: 200, body: 'reached' });
    expect(reached).toBe(1);
  });

  it('judges the address actually connected to, after any name checks', async () => {
    // Allows the pre-connect check, denies the socket's peer address: what a
    // DNS answer that changed between lookup and connect would meet.
    let checks = 0;
    const flipping: AddressPolicy = { active: true, check: () => (++checks === 1 ? { ok: true } : { ok: false, rule: '127.0.0.0/8' }) };
    const { outcome, reached } = await call(flipping, `${peer.url}/x`);
    expect(outcome).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('refused: connecting to 127.0.0.1') } });
    expect(checks).toBe(2);
    expect(reached).toBe(0);
  });

  it('does not follow redirects: the 3xx is the answer', async () => {
    const open = createAddressPolicy({ deny: ['10.0.0.0/8'] });
    const failed = await call(open, `${peer.url}/redirect`);
    expect(failed.outcome).toMatchObject({ status: 'failed', error: { message: `POST ${peer.url}/redirect answered 302` } });
    const run = await runNodes([{ key: 'call', type: 'http', url: `${peer.url}/redirect`, okStatus: '3xx' }], { ports: fakePorts({ http: createHttpPort({ policy: open }) }) });
    expect(run.job('call').output).toMatchObject({ status: 302, headers: { location: 'http://10.0.0.1/admin' } });
  });

  it('denies nothing by default', async () => {
    const { outcome } = await call(createAddressPolicy(), `${peer.url}/x`);
    expect(outcome).toEqual({ status: 'succeeded' });
  });
});
