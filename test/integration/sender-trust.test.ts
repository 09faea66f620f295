import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/shared/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { githubHeaders, stripeHeaders } from '../verify/sign.js';

/** A clock the test moves: signatures with timestamps are checked against it. */
const clock = { at: new Date('2026-03-01T12:00:00Z'), now() { return new Date(this.at); } } satisfies Clock & { at: Date };
const unix = () => Math.floor(clock.at.getTime() / 1000);

const json = { 'content-type': 'application/json' };
const echo = [{ key: 'reply', type: 'respond', body: { got: '{{ $context.data }}' } }];

describe.each(storeKinds)('who may call a webhook, on %s', (kind) => {
  let server: TestServer;
  const log = async (workflowId: string) => (await server.api('GET', `/api/requests?workflowId=${workflowId}&limit=50`)).body.items;

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { clock });
    expect((await server.api('PUT', '/api/secrets/GITHUB_SECRET', { value: 'new-secret' })).status).toBe(204);
    expect((await server.api('PUT', '/api/secrets/STRIPE_SECRET', { value: 'whsec_test' })).status).toBe(204);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('lets only correctly signed GitHub deliveries in, with old and new secrets during a rotation', async () => {
    const workflow = await server.createWorkflow({
      title: 'GitHub',
      trigger: { type: 'webhook', verify: { preset: 'github', secret: ['old-secret', '{{ $secrets.GITHUB_SECRET }}'] } },
      nodes: echo,
    });
    const body = '{"ref":"refs/heads/main"}';
    for (const secret of ['old-secret', 'new-secret']) {
      const ok = await server.call('POST', `/api/webhooks/${workflow.key}`, { body, headers: { ...json, ...githubHeaders(secret, body) } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ got: { ref: 'refs/heads/main' } });
    }
    const forged = await server.call('POST', `/api/webhooks/${workflow.key}`, { body, headers: { ...json, ...githubHeaders('guess', body) } });
    expect(forged.status).toBe(401);
    const refusal = await forged.json();
    expect(refusal).toEqual({ error: { code: 'unauthorized', message: 'the webhook signature or credentials are not valid' } });
    const unsigned = await server.call('POST', `/api/webhooks/${workflow.key}`, { body, headers: json });
    expect(unsigned.status).toBe(401);
    // Re-serialising the JSON changes the bytes: the signature of the original no longer matches.
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    const tampered = await server.call('POST', `/api/webhooks/${workflow.key}`, { body: reserialised, headers: { ...json, ...githubHeaders('new-secret', body) } });
    expect(tampered.status).toBe(401);

    const entries = await log(workflow.id);
    const reasons = entries.filter((e: { outcome: string }) => e.outcome === 'unauthorized').map((e: { reason: string }) => e.reason);
    expect(reasons).toHaveLength(3);
    expect(reasons.some((r: string) => r.includes('missing_header'))).toBe(true);
    expect(reasons.filter((r: string) => r.includes('no_matching_signature'))).toHaveLength(2);
    expect(JSON.stringify(entries)).not.toContain('new-secret');
    const runs = await server.api('GET', `/api/executions?workflowId=${workflow.id}`);
    expect(runs.body.items).toHaveLength(2);
  });

  it('refuses Stripe deliveries outside the replay window, both ways', async () => {
    const workflow = await server.createWorkflow({
      title: 'Stripe',
      trigger: { type: 'webhook', verify: { preset: 'stripe', secret: '{{ $secrets.STRIPE_SECRET }}', toleranceSec: 300 } },
      nodes: echo,
    });
    const body = '{"id":"evt_1"}';
    const send = (signedAt: number) =>
      server.call('POST', `/api/webhooks/${workflow.key}`, { body, headers: { ...json, ...stripeHeaders(['whsec_test'], body, signedAt) } });
    expect((await send(unix() - 60)).status).toBe(200);
    expect((await send(unix() - 301)).status).toBe(401);
    expect((await send(unix() + 301)).status).toBe(401);
    const reasons = (await log(workflow.id)).map((e: { reason: string | null }) => e.reason ?? '');
    expect(reasons.some((r: string) => r.includes('stale_timestamp'))).toBe(true);
    expect(reasons.some((r: string) => r.includes('future_timestamp'))).toBe(true);
  });

  it('answers Slack, Meta and Zoom handshakes without starting a run', async () => {
    const workflow = await server.createWorkflow({
      title: 'Handshakes',
      trigger: { type: 'webhook', handshake: { slack: true, metaVerifyToken: 'meta-token', zoomSecret: 'zoom-secret' } },
      nodes: echo,
    });
    const url = `/api/webhooks/${workflow.key}`;
    const slack = await server.call('POST', url, { body: '{"type":"url_verification","challenge":"abc123"}', headers: json });
    expect(await slack.json()).toEqual({ challenge: 'abc123' });
    const meta = await server.call('GET', `${url}?hub.mode=subscribe&hub.verify_token=meta-token&hub.challenge=1158201444`);
    expect(meta.status).toBe(200);
    expect(await meta.text()).toBe('1158201444');
    const wrongMeta = await server.call('GET', `${url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(wrongMeta.status).toBe(403);
    const zoom = await server.call('POST', url, { body: '{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"}}', headers: json });
    expect(await zoom.json()).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', 'zoom-secret').update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
    expect((await server.api('GET', `/api/executions?workflowId=${workflow.id}`)).body.items).toEqual([]);
    const outcomes = (await log(workflow.id)).map((e: { outcome: string }) => e.outcome).sort();
    expect(outcomes).toEqual(['forbidden', 'handshake', 'handshake', 'handshake']);
  });

  it('runs a delivery once however often it arrives, and replays the first answer', async () => {
    const sync = await server.createWorkflow({
      title: 'Dedup sync',
      trigger: { type: 'webhook', dedup: { key: "{{ $context.headers['x-delivery'] }}", window: '1h' } },
      nodes: [
        { key: 'pause', type: 'delay', ms: 100 },
        { key: 'reply', type: 'respond', status: 201, body: { first: '{{ $context.data.n }}' } },
      ],
    });
    const deliver = (n: number, id: string) =>
      server.call('POST', `/api/webhooks/${sync.key}`, { body: JSON.stringify({ n }), headers: { ...json, 'x-delivery': id } });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => deliver(n, 'd-1')));
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    const later = await deliver(9, 'd-1');
    expect(await later.json()).toEqual(bodies[0]);
    expect((await deliver(10, 'd-2')).status).toBe(201);
    expect((await server.api('GET', `/api/executions?workflowId=${sync.id}`)).body.items).toHaveLength(2);
    const duplicates = (await log(sync.id)).filter((e: { outcome: string }) => e.outcome === 'duplicate');
    expect(duplicates).toHaveLength(5);

    const async = await server.createWorkflow({
      title: 'Dedup async',
      trigger: { type: 'webhook', mode: 'async', dedup: { key: '{{ $context.data.eventId }}', window: '10m' } },
      nodes: [{ key: 's', type: 'set', values: { a: 1 } }],
    });
    const first = await server.call('POST', `/api/webhooks/${async.key}`, { body: '{"eventId":"e-7"}', headers: json });
    expect(first.status).toBe(202);
    const { executionId } = await first.json();
    const again = await server.call('POST', `/api/webhooks/${async.key}`, { body: '{"eventId":"e-7"}', headers: json });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ executionId, duplicate: true });

    // After the window the same id is a new delivery.
    clock.at = new Date(clock.at.getTime() + 11 * 60_000);
    expect((await server.call('POST', `/api/webhooks/${async.key}`, { body: '{"eventId":"e-7"}', headers: json })).status).toBe(202);
  });

  it('limits the rate per workflow with 429 and Retry-After', async () => {
    const workflow = await server.createWorkflow({ title: 'Limited', trigger: { type: 'webhook', rateLimit: { max: 2, windowSec: 60 } }, nodes: echo });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const response = await server.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: json });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await log(workflow.id)).map((e: { outcome: string }) => e.outcome)).toContain('rate_limited');
  });

  it('issues named API tokens that work until revoked', async () => {
    const issued = await server.api('POST', '/api/tokens', { name: 'ci' });
    expect(issued.status).toBe(201);
    const token = issued.body.token as string;
    const withToken = () => server.call('GET', '/api/workflows', { headers: { authorization: `Bearer ${token}` } });
    expect((await withToken()).status).toBe(200);
    const listed = await server.api('GET', '/api/tokens');
    expect(listed.body.items.find((t: { id: string }) => t.id === issued.body.id)).toMatchObject({ name: 'ci', revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await server.api('DELETE', `/api/tokens/${issued.body.id}`)).status).toBe(204);
    expect((await withToken()).status).toBe(401);
  });

  it('keeps secrets used in templates out of the stored jobs', async () => {
    const workflow = await server.createWorkflow({
      title: 'Secret user',
      trigger: { type: 'webhook' },
      nodes: [{ key: 'sign', type: 'set', values: { header: 'token {{ $secrets.GITHUB_SECRET }}' } }, { key: 'reply', type: 'respond', body: { ok: true } }],
    });
    expect((await server.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: json })).status).toBe(200);
    const [execution] = (await server.api('GET', `/api/executions?workflowId=${workflow.id}`)).body.items;
    const detail = await server.api('GET', `/api/executions/${execution.id}`);
    expect(JSON.stringify(detail.body)).not.toContain('new-secret');
    expect(detail.body.jobs[0].output).toEqual({ header: 'token [secret]' });
  });
});

describe.each(storeKinds)('allow-lists and proxies on %s', (kind) => {
  let direct: TestServer;
  let proxied: TestServer;
  const allowOnly = { title: 'Office only', trigger: { type: 'webhook', allowIps: ['10.0.0.0/8', '2001:db8::/32'] }, nodes: echo };

  beforeAll(async () => {
    direct = await startTestServer(kind);
    proxied = await startTestServer(kind, { trustProxy: ['127.0.0.1/32'] });
  });
  afterAll(async () => {
    await Promise.all([direct.stop(), proxied.stop()]);
  });

  it('refuses other addresses with 403 and ignores X-Forwarded-For from untrusted peers', async () => {
    const workflow = await direct.createWorkflow(allowOnly);
    const refused = await direct.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: json });
    expect(refused.status).toBe(403);
    const forged = await direct.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: { ...json, 'x-forwarded-for': '10.1.2.3' } });
    expect(forged.status).toBe(403);
    const log = (await direct.api('GET', `/api/requests?workflowId=${workflow.id}`)).body.items;
    expect(log.map((e: { outcome: string; ip: string }) => [e.outcome, e.ip])).toEqual([
      ['forbidden', '127.0.0.1'],
      ['forbidden', '127.0.0.1'],
    ]);
  });

  it('believes X-Forwarded-For from a trusted proxy, for IPv4 and IPv6 clients', async () => {
    const workflow = await proxied.createWorkflow(allowOnly);
    for (const client of ['10.1.2.3', '2001:db8::7']) {
      const response = await proxied.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: { ...json, 'x-forwarded-for': `${client}, 127.0.0.1` } });
      expect(response.status).toBe(200);
    }
    const outsider = await proxied.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: { ...json, 'x-forwarded-for': '192.0.2.1' } });
    expect(outsider.status).toBe(403);
    const log = (await proxied.api('GET', `/api/requests?workflowId=${workflow.id}`)).body.items;
    expect(log.map((e: { ip: string }) => e.ip).sort()).toEqual(['10.1.2.3', '192.0.2.1', '2001:db8::7']);
  });
});
