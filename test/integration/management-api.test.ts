import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const echo = (title: string, extra: Record<string, unknown> = {}) => ({
  title,
  trigger: { type: 'webhook', methods: ['POST'], ...extra },
  nodes: [{ key: 'reply', type: 'respond', status: 200, body: { got: '{{ $context.data }}' } }],
});

describe.each(storeKinds)('management API on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('refuses calls without the admin token or with a wrong one', async () => {
    const none = await server.call('GET', '/api/workflows');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await server.call('GET', '/api/workflows', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('creates a workflow with a long random key and its webhook URLs', async () => {
    const { status, body } = await server.api('POST', '/api/workflows', echo('Echo', { path: 'forms/:formId' }));
    expect(status).toBe(201);
    expect(body).toMatchObject({ title: 'Echo', version: 1, enabled: true, path: 'forms/:formId' });
    expect(body.key).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(body.webhookUrls).toEqual([`${server.url}/api/webhooks/${body.key}`, `${server.url}/api/webhooks/forms/:formId`]);
    const again = await server.api('GET', `/api/workflows/${body.id}`);
    expect(again.body).toMatchObject({ id: body.id, key: body.key, definition: { title: 'Echo' } });
    await server.api('DELETE', `/api/workflows/${body.id}`);
  });

  it('reports every problem of an invalid definition with its path', async () => {
    const { status, body } = await server.api('POST', '/api/workflows', {
      title: 'Broken',
      trigger: { type: 'webhook', mode: 'sometimes' },
      nodes: [
        { key: 'a', type: 'set', values: { x: '{{ 1 + }}' } },
        { key: 'a', type: 'nope' },
        { key: 'c', type: 'condition', if: '{{ true }}', then: [{ key: 'd', type: 'http' }] },
      ],
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_definition');
    const paths = body.error.details.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['trigger.mode', 'nodes[0].values.x', 'nodes[1].type', 'nodes[2].then[0].url']));
    expect(paths.some((p: string) => p.startsWith('nodes[1]') && p !== 'nodes[1].type') || paths.includes('nodes[1].key')).toBe(true);
  });

  it('accepts YAML definitions', async () => {
    const yaml = 'title: From YAML\ntrigger: { type: webhook }\nnodes:\n  - { key: r, type: respond, status: 201, body: { ok: true } }\n';
    const { status, body } = await server.api('POST', '/api/workflows', yaml, { 'content-type': 'application/yaml' });
    expect(status).toBe(201);
    const hook = await server.call('POST', `/api/webhooks/${body.key}`);
    expect(hook.status).toBe(201);
    expect(await hook.json()).toEqual({ ok: true });
  });

  it('keeps versions, enables and disables, and deletes', async () => {
    const created = await server.createWorkflow(echo('V1'));
    const updated = await server.api('PUT', `/api/workflows/${created.id}`, {
      ...echo('V2'),
      nodes: [{ key: 'reply', type: 'respond', status: 200, body: { version: 2 } }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, title: 'V2', key: created.key });
    const versions = await server.api('GET', `/api/workflows/${created.id}/versions`);
    expect(versions.body.items.map((v: { version: number; definition: { title: string } }) => [v.version, v.definition.title])).toEqual([
      [2, 'V2'],
      [1, 'V1'],
    ]);
    const hook = await server.call('POST', `/api/webhooks/${created.key}`);
    expect(await hook.json()).toEqual({ version: 2 });

    expect((await server.api('POST', `/api/workflows/${created.id}/disable`)).body.enabled).toBe(false);
    const disabled = await server.call('POST', `/api/webhooks/${created.key}`);
    expect(disabled.status).toBe(404);
    expect((await server.api('POST', `/api/workflows/${created.id}/enable`)).body.enabled).toBe(true);
    expect((await server.call('POST', `/api/webhooks/${created.key}`)).status).toBe(200);

    const list = await server.api('GET', '/api/workflows');
    expect(list.body.items.map((w: { id: string }) => w.id)).toContain(created.id);
    expect((await server.api('DELETE', `/api/workflows/${created.id}`)).status).toBe(204);
    expect((await server.api('GET', `/api/workflows/${created.id}`)).status).toBe(404);
    expect((await server.call('POST', `/api/webhooks/${created.key}`)).status).toBe(404);
  });

  it('refuses a path another workflow already serves', async () => {
    const first = await server.createWorkflow(echo('First', { path: 'orders/:id' }));
    const { status, body } = await server.api('POST', '/api/workflows', echo('Second', { path: 'orders/:orderId' }));
    expect(status).toBe(409);
    expect(body.error.code).toBe('conflict');
    await server.api('DELETE', `/api/workflows/${first.id}`);
  });

  it('lists executions with filters and a cursor, shows jobs, and retries', async () => {
    const workflow = await server.createWorkflow(echo('Listed'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await server.call('POST', `/api/webhooks/${workflow.key}`, { body: JSON.stringify({ i }), headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(200);
    }
    const page1 = await server.api('GET', `/api/executions?workflowId=${workflow.id}&limit=2`);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0].trigger.data).toEqual({ i: 2 });
    const page2 = await server.api('GET', `/api/executions?workflowId=${workflow.id}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((e: { trigger: { data: unknown } }) => e.trigger.data)).toEqual([{ i: 0 }]);
    expect(page2.body.nextCursor).toBeNull();
    ids.push(...page1.body.items.map((e: { id: string }) => e.id));

    const execution = await server.api('GET', `/api/executions/${ids[0]}`);
    expect(execution.body).toMatchObject({
      workflowId: workflow.id,
      workflowVersion: 1,
      status: 'succeeded',
      mode: 'sync',
      response: { status: 200, body: { got: { i: 2 } } },
      jobs: [{ nodeKey: 'reply', type: 'respond', status: 'succeeded', input: { status: 200 } }],
    });
    expect(execution.body.jobs[0].startedAt).toBeTruthy();

    const failed = await server.api('GET', `/api/executions?status=failed&workflowId=${workflow.id}`);
    expect(failed.body.items).toEqual([]);

    const retry = await server.api('POST', `/api/executions/${ids[0]}/retry`);
    expect(retry.status).toBe(202);
    const rerun = await server.waitForExecution(retry.body.executionId, 'succeeded');
    expect(rerun).toMatchObject({ retryOf: ids[0], trigger: { data: { i: 2 } }, mode: 'async' });
    expect((await server.api('GET', '/api/executions/nope')).status).toBe(404);
  });

  it('serves an OpenAPI document generated from the routes', async () => {
    const response = await server.call('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = await response.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/workflows', '/api/workflows/{id}', '/api/workflows/{id}/versions', '/api/executions', '/api/executions/{id}/retry', '/api/requests']),
    );
    expect(doc.paths['/api/workflows'].post.responses['201']).toBeDefined();
  });

  it('answers health and readiness', async () => {
    expect(await (await server.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await server.call('GET', '/readyz')).json()).toEqual({ status: 'ready' });
  });
});
