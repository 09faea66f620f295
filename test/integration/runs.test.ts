import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonReply, startHttpPeer, type HttpPeer } from '../helpers/http-peer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const post = (server: TestServer, key: string, data: unknown = {}) =>
  server.call('POST', `/api/webhooks/${key}`, { body: JSON.stringify(data), headers: { 'content-type': 'application/json' } });

describe.each(storeKinds)('sync and async runs on %s', (kind) => {
  let server: TestServer;
  let peer: HttpPeer;
  let peerUrl: string;
  /** Paths the peer was called on, in order. */
  const hits = () => peer.requests.map((request) => request.path);
  beforeAll(async () => {
    server = await startTestServer(kind);
    peer = await startHttpPeer((request) => (request.path.startsWith('/fail') ? { status: 503, body: 'down' } : jsonReply({ seen: request.path + request.search })));
    peerUrl = peer.url;
  });
  afterAll(async () => {
    await server.stop();
    await peer.close();
  });

  it('answers with the first respond node while the run goes on', async () => {
    const workflow = await server.createWorkflow({
      title: 'Respond early',
      trigger: { type: 'webhook' },
      nodes: [
        { key: 'first', type: 'respond', status: 201, headers: { 'x-run': 'early' }, body: { order: '{{ $context.data.order }}' } },
        { key: 'second', type: 'respond', status: 500, body: { never: true } },
        { key: 'wait', type: 'delay', ms: 200 },
        { key: 'after', type: 'set', values: { done: true } },
      ],
    });
    const response = await post(server, workflow.key, { order: 7 });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-run')).toBe('early');
    expect(await response.json()).toEqual({ order: 7 });
    const list = await server.api('GET', `/api/executions?workflowId=${workflow.id}`);
    const done = await server.waitForExecution(list.body.items[0].id, 'succeeded');
    expect(done.jobs.map((j: { nodeKey: string }) => j.nodeKey)).toEqual(['first', 'second', 'wait', 'after']);
    expect(done.response).toMatchObject({ status: 201, body: { order: 7 } });
  });

  it('answers with trigger.response when no respond node runs, else 200 with the execution id', async () => {
    const configured = await server.createWorkflow({
      title: 'Configured answer',
      trigger: { type: 'webhook', response: { status: 202, headers: { 'x-kind': 'configured' }, body: { branch: '{{ $nodes.pick.name }}' } } },
      nodes: [{ key: 'pick', type: 'set', values: { name: "{{ $context.data.ref.replace('refs/heads/', '') }}" } }],
    });
    const answered = await post(server, configured.key, { ref: 'refs/heads/main' });
    expect(answered.status).toBe(202);
    expect(answered.headers.get('x-kind')).toBe('configured');
    expect(await answered.json()).toEqual({ branch: 'main' });

    const plain = await server.createWorkflow({ title: 'Default answer', trigger: { type: 'webhook' }, nodes: [{ key: 's', type: 'set', values: { a: 1 } }] });
    const response = await post(server, plain.key);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({ executionId: expect.any(String), status: 'succeeded' });
    expect((await server.api('GET', `/api/executions/${body.executionId}`)).body.jobs[0].output).toEqual({ a: 1 });
  });

  it('branches on the data with condition', async () => {
    const workflow = await server.createWorkflow({
      title: 'Branch',
      trigger: { type: 'webhook' },
      nodes: [
        {
          key: 'isBig',
          type: 'condition',
          if: '{{ $context.data.amount > 100 }}',
          then: [{ key: 'big', type: 'respond', body: { size: 'big' } }],
          else: [{ key: 'small', type: 'respond', body: { size: 'small' } }],
        },
      ],
    });
    expect(await (await post(server, workflow.key, { amount: 500 })).json()).toEqual({ size: 'big' });
    expect(await (await post(server, workflow.key, { amount: 5 })).json()).toEqual({ size: 'small' });
  });

  it('gives 202 with the execution id past timeoutMs and finishes the run', async () => {
    const workflow = await server.createWorkflow({
      title: 'Slow',
      trigger: { type: 'webhook', timeoutMs: 100 },
      nodes: [
        { key: 'wait', type: 'delay', ms: 600 },
        { key: 'reply', type: 'respond', body: { late: true } },
      ],
    });
    const response = await post(server, workflow.key);
    expect(response.status).toBe(202);
    const { executionId } = await response.json();
    expect((await server.api('GET', `/api/executions/${executionId}`)).body.status).toBe('running');
    const done = await server.waitForExecution(executionId, 'succeeded');
    expect(done.jobs.map((j: { nodeKey: string }) => j.nodeKey)).toEqual(['wait', 'reply']);
  });

  it('answers 500 naming the failing node, and records the failure', async () => {
    const workflow = await server.createWorkflow({
      title: 'Failing',
      trigger: { type: 'webhook' },
      nodes: [
        { key: 'ok', type: 'set', values: { a: 1 } },
        { key: 'callDown', type: 'http', method: 'GET', url: `${peerUrl}/fail` },
      ],
    });
    const response = await post(server, workflow.key);
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body.error.code).toBe('run_failed');
    expect(body.error.message).toContain('callDown');
    const execution = (await server.api('GET', `/api/executions/${body.error.details.executionId}`)).body;
    expect(execution).toMatchObject({ status: 'failed', error: { nodeKey: 'callDown' } });
    expect(execution.jobs.map((j: { nodeKey: string; status: string }) => [j.nodeKey, j.status])).toEqual([
      ['ok', 'succeeded'],
      ['callDown', 'failed'],
    ]);
  });

  it('acknowledges async runs with 202 after recording them, then runs them in the background', async () => {
    const workflow = await server.createWorkflow({
      title: 'Background',
      trigger: { type: 'webhook', mode: 'async' },
      nodes: [
        { key: 'call', type: 'http', method: 'POST', url: `${peerUrl}/async/{{ $context.data.id }}`, body: { id: '{{ $context.data.id }}' } },
        {
          key: 'each',
          type: 'loop',
          over: '{{ $context.data.items }}',
          do: [{ key: 'double', type: 'set', values: { value: '{{ $item * 2 }}', index: '{{ $index }}' } }],
        },
        {
          key: 'both',
          type: 'parallel',
          branches: [[{ key: 'left', type: 'set', values: { side: 'left' } }], [{ key: 'right', type: 'set', values: { side: 'right' } }]],
        },
      ],
    });
    const response = await post(server, workflow.key, { id: 'a1', items: [1, 2, 3] });
    expect(response.status).toBe(202);
    const { executionId } = await response.json();
    const done = await server.waitForExecution(executionId, 'succeeded');
    expect(hits()).toContain('/async/a1');
    expect(done.mode).toBe('async');
    const byPath = Object.fromEntries(done.jobs.map((j: { path: string; output: unknown }) => [j.path, j.output]));
    expect(byPath['call']).toMatchObject({ status: 200, body: { seen: '/async/a1' } });
    expect(byPath['each[2].double']).toEqual({ value: 6, index: 2 });
    expect(byPath['left']).toEqual({ side: 'left' });
    expect(byPath['right']).toEqual({ side: 'right' });
  });
});
