import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const contextEcho = {
  title: 'Context echo',
  trigger: { type: 'webhook', path: 'forms/:formId', methods: ['POST', 'PUT', 'GET'], maxBodyBytes: 2048 },
  nodes: [
    {
      key: 'reply',
      type: 'respond',
      status: 200,
      headers: { 'x-form': "{{ $context.params.formId ?? 'none' }}" },
      body: {
        data: '{{ $context.data }}',
        params: '{{ $context.params }}',
        query: '{{ $context.query }}',
        method: '{{ $context.method }}',
        path: '{{ $context.path }}',
        files: '{{ $context.files }}',
        raw: '{{ $context.rawBody }}',
        agent: "{{ $context.headers['x-agent'] }}",
      },
    },
  ],
};

describe.each(storeKinds)('webhook ingress on %s', (kind) => {
  let server: TestServer;
  let workflow: { id: string; key: string };
  beforeAll(async () => {
    server = await startTestServer(kind);
    workflow = await server.createWorkflow(contextEcho);
  });
  afterAll(async () => {
    await server.stop();
  });

  const post = (path: string, body: string | Uint8Array | FormData | undefined, headers: Record<string, string> = {}) =>
    server.call('POST', path, { body, headers });

  it('serves the key URL and the path template with its params and query', async () => {
    const byKey = await post(`/api/webhooks/${workflow.key}?a=1&a=2&b=x`, '{"n":1}', { 'content-type': 'application/json', 'x-agent': 'curl' });
    expect(byKey.status).toBe(200);
    expect(await byKey.json()).toMatchObject({ data: { n: 1 }, params: {}, query: { a: ['1', '2'], b: 'x' }, method: 'POST', agent: 'curl', raw: '{"n":1}' });

    const byPath = await post('/api/webhooks/forms/contact%20us', '{}', { 'content-type': 'application/json' });
    expect(byPath.status).toBe(200);
    expect(byPath.headers.get('x-form')).toBe('contact us');
    expect(await byPath.json()).toMatchObject({ params: { formId: 'contact us' }, path: '/api/webhooks/forms/contact%20us' });
  });

  it('answers 405 with Allow for a method the workflow does not take', async () => {
    const response = await server.call('DELETE', `/api/webhooks/${workflow.key}`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, PUT');
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('answers 404 for an unknown path', async () => {
    const response = await post('/api/webhooks/no-such-key', '{}');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('parses urlencoded, multipart, text and binary bodies', async () => {
    const form = await post(`/api/webhooks/${workflow.key}`, 'name=Ada&tags=a&tags=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect((await form.json()).data).toEqual({ name: 'Ada', tags: ['a', 'b'] });

    const multipart = new FormData();
    multipart.append('email', 'ada@example.test');
    multipart.append('cv', new Blob(['hello file'], { type: 'text/plain' }), 'cv.txt');
    const upload = await post(`/api/webhooks/${workflow.key}`, multipart);
    const uploaded = await upload.json();
    expect(uploaded.data).toEqual({ email: 'ada@example.test' });
    expect(uploaded.files).toEqual([{ field: 'cv', name: 'cv.txt', type: 'text/plain', size: 10, id: expect.any(String) }]);

    const text = await post(`/api/webhooks/${workflow.key}`, 'plain words', { 'content-type': 'text/plain' });
    expect((await text.json()).data).toBe('plain words');

    const bytes = await post(`/api/webhooks/${workflow.key}`, new Uint8Array([0, 1, 2, 255]), { 'content-type': 'application/octet-stream' });
    expect((await bytes.json()).data).toMatchObject({ base64: 'AAEC/w==', size: 4 });
  });

  it('refuses malformed JSON with 400 saying where, and logs it', async () => {
    const response = await post(`/api/webhooks/${workflow.key}`, '{"a": 1,\n "b": }', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('malformed_body');
    expect(body.error.message).toMatch(/line 2/);
    const log = await server.api('GET', `/api/requests?workflowId=${workflow.id}&outcome=bad_request`);
    expect(log.body.items[0]).toMatchObject({ status: 400, outcome: 'bad_request', method: 'POST' });
    expect(log.body.items[0].reason).toMatch(/line 2/);
  });

  it('refuses bodies over the workflow limit with 413, declared or streamed', async () => {
    const big = 'x'.repeat(4096);
    const declared = await post(`/api/webhooks/${workflow.key}`, big, { 'content-type': 'text/plain' });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const streamed = await fetch(`${server.url}/api/webhooks/${workflow.key}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('records every request with outcome, status, latency and redacted credentials', async () => {
    await post(`/api/webhooks/${workflow.key}`, '{"x":1}', {
      'content-type': 'application/json',
      authorization: 'Bearer very-secret',
      cookie: 'session=abc',
      'x-gitlab-token': 'shh',
      'x-agent': 'logger-test',
    });
    await post('/api/webhooks/missing-one', '');
    const log = await server.api('GET', '/api/requests?limit=500');
    const accepted = log.body.items.find((r: { headers: Record<string, string> }) => r.headers['x-agent'] === 'logger-test');
    expect(accepted).toMatchObject({
      outcome: 'accepted',
      status: 200,
      workflowId: workflow.id,
      method: 'POST',
      ip: '127.0.0.1',
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-gitlab-token': '[redacted]' },
    });
    expect(accepted.executionId).toEqual(expect.any(String));
    expect(accepted.latencyMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(log.body)).not.toContain('very-secret');
    const missing = log.body.items.find((r: { path: string }) => r.path === '/api/webhooks/missing-one');
    expect(missing).toMatchObject({ outcome: 'not_found', status: 404, workflowId: null });
    const refused = await server.api('GET', '/api/requests?outcome=method_not_allowed');
    expect(refused.body.items.length).toBeGreaterThan(0);
  });
});
