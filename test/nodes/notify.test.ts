import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../src/engine/address-policy.js';
import { createHttpPort } from '../../src/engine/http-port.js';
import { validateDefinition } from '../../src/engine/validate.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';
import { definition, fakePorts, NOW, runNodes } from '../engine/harness.js';
import { jsonReply, startHttpPeer, type HttpPeer, type PeerReply } from '../helpers/http-peer.js';

/** What the peer answers next, by path; reset before each test. */
let script: Record<string, PeerReply> = {};
let peer: HttpPeer;
beforeAll(async () => {
  peer = await startHttpPeer((req) => script[req.path] ?? { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' });
});
afterAll(() => peer.close());
beforeEach(() => {
  script = {};
  peer.requests.length = 0;
});

const notify = (fields: Record<string, unknown>, data: Record<string, unknown> = {}) =>
  runNodes([{ key: 'tell', type: 'notify', ...fields }], { ports: fakePorts({ http: createHttpPort() }), context: { data } });
const only = () => {
  expect(peer.requests).toHaveLength(1);
  return peer.requests[0]!;
};

describe('notify node, each channel\'s payload', () => {
  it('slack: {text} as JSON; the reply is the output', async () => {
    const { outcome, job } = await notify({ channel: 'slack', url: `${peer.url}/services/T0/B0/secret`, text: '{{ $context.data.n }} commits on main' }, { n: 3 });
    expect(outcome).toEqual({ status: 'succeeded' });
    const req = only();
    expect(req).toMatchObject({ method: 'POST', path: '/services/T0/B0/secret', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(JSON.parse(req.body)).toEqual({ text: '3 commits on main' });
    expect(job('tell').output).toEqual({ status: 200, body: 'ok' });
  });

  it('slack: an error status fails the node without showing the webhook\'s secret path', async () => {
    script['/services/T0/B0/secret'] = { status: 404, headers: { 'content-type': 'text/html' }, body: 'no_service' };
    const { outcome } = await notify({ channel: 'slack', url: `${peer.url}/services/T0/B0/secret`, text: 'hi' });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: `slack webhook (127.0.0.1:${peer.port}) answered 404`, details: { status: 404, body: 'no_service' } } });
    expect(JSON.stringify(outcome)).not.toContain('secret');
  });

  it('dingtalk: text message, unsigned without a secret', async () => {
    script['/robot/send'] = jsonReply({ errcode: 0, errmsg: 'ok' });
    const { outcome, job } = await notify({ channel: 'dingtalk', url: `${peer.url}/robot/send?access_token=tok`, text: 'deploy done' });
    expect(outcome).toEqual({ status: 'succeeded' });
    const req = only();
    expect(req.query).toEqual({ access_token: 'tok' });
    expect(JSON.parse(req.body)).toEqual({ msgtype: 'text', text: { content: 'deploy done' } });
    expect(job('tell').output).toEqual({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
  });

  it('dingtalk: signs with timestamp and sign as DingTalk documents', async () => {
    script['/robot/send'] = jsonReply({ errcode: 0, errmsg: 'ok' });
    const secret = 'SEC0123456789abcdef';
    await notify({ channel: 'dingtalk', url: `${peer.url}/robot/send?access_token=tok`, text: 'hi', secret });
    const req = only();
    const timestamp = String(NOW.getTime());
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    expect(req.query).toEqual({ access_token: 'tok', timestamp, sign: expected });
    // On the wire the base64 is URL-encoded once: no raw '+', '/' or '='.
    const rawSign = /[?&]sign=([^&]*)/.exec(req.search)?.[1] ?? '';
    expect(rawSign).toBe(encodeURIComponent(expected));
  });

  it('dingtalk: errcode != 0 in a 200 fails the node with the provider\'s message, without retrying', async () => {
    script['/robot/send'] = jsonReply({ errcode: 310000, errmsg: 'sign not match' });
    const { outcome, job } = await notify({ channel: 'dingtalk', url: `${peer.url}/robot/send?access_token=tok`, text: 'hi', secret: 's', retry: { max: 2, backoffMs: 1 } });
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'node_failed', message: `dingtalk robot (127.0.0.1:${peer.port}) refused the message: errcode 310000, sign not match`, details: { errcode: 310000 } },
    });
    expect(job('tell').attempts).toBe(1);
    expect(JSON.stringify(outcome)).not.toContain('tok');
  });

  it('dingtalk: "sending too fast" (130101) is retried', async () => {
    script['/robot/send'] = jsonReply({ errcode: 130101, errmsg: 'send too fast' });
    const { job } = await notify({ channel: 'dingtalk', url: `${peer.url}/robot/send?access_token=tok`, text: 'hi', retry: { max: 1, backoffMs: 1 } });
    expect(job('tell').attempts).toBe(2);
  });

  it('wecom: text message to the group robot URL, no signing', async () => {
    script['/cgi-bin/webhook/send'] = jsonReply({ errcode: 0, errmsg: 'ok' });
    const { outcome } = await notify({ channel: 'wecom', url: `${peer.url}/cgi-bin/webhook/send?key=k-1`, text: '新订单 {{ $context.data.id }}' }, { id: 7 });
    expect(outcome).toEqual({ status: 'succeeded' });
    const req = only();
    expect(req.query).toEqual({ key: 'k-1' });
    expect(JSON.parse(req.body)).toEqual({ msgtype: 'text', text: { content: '新订单 7' } });
  });

  it('wecom: errcode != 0 fails the node', async () => {
    script['/cgi-bin/webhook/send'] = jsonReply({ errcode: 93000, errmsg: 'invalid webhook url' });
    const { outcome } = await notify({ channel: 'wecom', url: `${peer.url}/cgi-bin/webhook/send?key=bad`, text: 'x' });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('errcode 93000, invalid webhook url') } });
  });

  it('webhook: any body as JSON, with headers; {text} without a body', async () => {
    await notify({ channel: 'webhook', url: `${peer.url}/hook`, headers: { 'X-Token': 't' }, body: { event: 'order', id: '{{ $context.data.id }}', tags: ['a'] } }, { id: 9 });
    expect(only()).toMatchObject({ headers: { 'x-token': 't', 'content-type': 'application/json; charset=utf-8' } });
    expect(JSON.parse(only().body)).toEqual({ event: 'order', id: 9, tags: ['a'] });
    peer.requests.length = 0;
    await notify({ channel: 'webhook', url: `${peer.url}/hook`, text: 'plain' });
    expect(JSON.parse(only().body)).toEqual({ text: 'plain' });
  });

  it('sms: the provider\'s request with {to} and {text} filled in (JSON by default)', async () => {
    const { outcome } = await notify({
      channel: 'sms', to: '{{ $context.data.phone }}', text: 'Code {{ $context.data.code }} ({text} stays literal in data: {{ $context.data.note }})',
      provider: { url: `${peer.url}/sms`, headers: { Authorization: 'Bearer k' }, query: { account: 'acme' } },
    }, { phone: '+8613800000000', code: 1234, note: '{to}' });
    expect(outcome).toEqual({ status: 'succeeded' });
    const req = only();
    expect(req).toMatchObject({ method: 'POST', path: '/sms', query: { account: 'acme' }, headers: { authorization: 'Bearer k', 'content-type': 'application/json' } });
    expect(JSON.parse(req.body)).toEqual({ to: '+8613800000000', text: 'Code 1234 ({text} stays literal in data: {to})' });
  });

  it('sms: a form-encoded provider body template (Twilio-style)', async () => {
    await notify({
      channel: 'sms', to: '+15550001', text: 'Hi & bye',
      provider: { url: `${peer.url}/Messages.json`, bodyType: 'form', body: { To: '{to}', From: '+15559999', Body: 'Alert: {text}' } },
    });
    expect(only()).toMatchObject({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'To=%2B15550001&From=%2B15559999&Body=Alert%3A+Hi+%26+bye' });
  });

  it('goes through the outbound address policy', async () => {
    const ports = fakePorts({ http: createHttpPort({ policy: createAddressPolicy({ deny: ['127.0.0.0/8'] }) }) });
    const { outcome } = await runNodes([{ key: 'tell', type: 'notify', channel: 'slack', url: `${peer.url}/s`, text: 'x' }], { ports });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('is not allowed by HOOKFLOW_HTTP_DENY (127.0.0.0/8)') } });
    expect(peer.requests).toHaveLength(0);
  });
});

describe('notify node validation', () => {
  const problems = (fields: Record<string, unknown>) => {
    const result = validateDefinition(definition([{ key: 'tell', type: 'notify', ...fields }]), createDefaultRegistry());
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('names what a channel needs and what does not apply', () => {
    expect(problems({ channel: 'slack', text: 'x' })).toEqual(['nodes[0].url: a slack notification needs "url"']);
    expect(problems({ channel: 'sms', text: 'x', url: 'https://x.example' })).toEqual([
      'nodes[0].provider: a sms notification needs "provider"',
      'nodes[0].to: a sms notification needs "to"',
      'nodes[0].url: "url" does not apply to the sms channel',
    ]);
    expect(problems({ channel: 'slack', url: 'https://x.example', text: 'x', secret: 's' })).toEqual(['nodes[0].secret: "secret" does not apply to the slack channel']);
    expect(problems({ channel: 'webhook', url: 'https://x.example' })).toEqual(['nodes[0].body: a webhook notification needs "body" or "text"']);
    expect(problems({ channel: 'sms', to: '1', text: 'x', provider: { url: 'ftp://x' } })).toEqual(['nodes[0].provider.url: "ftp://x" is not an absolute http:// or https:// URL']);
    expect(problems({ channel: 'teams', url: 'https://x.example', text: 'x' })).toEqual([expect.stringMatching(/^nodes\[0\]\.channel: /)]);
  });

  it('checks a templated channel when it runs', async () => {
    const { outcome } = await runNodes([{ key: 'tell', type: 'notify', channel: '{{ $context.data.c }}', url: 'https://x.example', text: 'x' }], { context: { data: { c: 'sms' } } });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: 'provider: a sms notification needs "provider"' } });
  });
});
