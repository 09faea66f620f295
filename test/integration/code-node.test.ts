/**
 * `code` nodes in a real server: console lines reach the execution's jobs
 * over the API, failures answer 500 naming the node, and a script spinning in
 * the sandbox does not hold up other webhooks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const post = (server: TestServer, key: string, data: unknown = {}) =>
  server.call('POST', `/api/webhooks/${key}`, { body: JSON.stringify(data), headers: { 'content-type': 'application/json' } });

describe.each(storeKinds)('code nodes on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers with the script\'s output and keeps its console lines on the job', async () => {
    const workflow = await server.createWorkflow({
      title: 'Sign the order',
      trigger: { type: 'webhook' },
      nodes: [
        {
          key: 'sign',
          type: 'code',
          source: [
            'const body = JSON.stringify($context.data);',
            'console.log("signing", $context.data.order);',
            'return { order: $context.data.order, signature: hmac("sha256", "k3y", body), digest: sha256(body) };',
          ].join('\n'),
        },
        { key: 'reply', type: 'respond', status: 201, body: '{{ $nodes.sign }}' },
      ],
    });
    const response = await post(server, workflow.key, { order: 42 });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toMatchObject({ order: 42, signature: expect.stringMatching(/^[0-9a-f]{64}$/), digest: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const list = await server.api('GET', `/api/executions?workflowId=${workflow.id}`);
    const execution = await server.waitForExecution(list.body.items[0].id, 'succeeded');
    const job = execution.jobs.find((j: { nodeKey: string }) => j.nodeKey === 'sign');
    expect(job).toMatchObject({ status: 'succeeded', logs: ['signing 42'], output: body });
    expect(execution.jobs.find((j: { nodeKey: string }) => j.nodeKey === 'reply')).not.toHaveProperty('logs');
  });

  it('answers 500 naming the node when the script throws, with its logs on the job', async () => {
    const workflow = await server.createWorkflow({
      title: 'Reject',
      trigger: { type: 'webhook' },
      nodes: [{ key: 'check', type: 'code', source: 'console.log("checking");\nif (!$context.data.email) throw new Error("email is required");\nreturn true' }],
    });
    const response = await post(server, workflow.key, {});
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(JSON.stringify(body)).toContain('check');
    expect(JSON.stringify(body)).toContain('email is required');
    const list = await server.api('GET', `/api/executions?workflowId=${workflow.id}`);
    const execution = await server.waitForExecution(list.body.items[0].id, 'failed');
    expect(execution.jobs[0]).toMatchObject({ status: 'failed', logs: ['checking'], error: { code: 'script_error', message: 'Error: email is required (line 2)' } });
  });

  it('keeps answering other webhooks while a script spins to its time limit', async () => {
    const spinner = await server.createWorkflow({
      title: 'Spin',
      trigger: { type: 'webhook', mode: 'async' },
      nodes: [
        { key: 'before', type: 'set', values: { started: true } },
        { key: 'spin', type: 'code', timeLimitMs: 3000, source: 'while (true) {}' },
      ],
    });
    const quick = await server.createWorkflow({
      title: 'Quick',
      trigger: { type: 'webhook' },
      nodes: [
        { key: 'double', type: 'code', source: 'return $context.data.n * 2' },
        { key: 'reply', type: 'respond', body: { n: '{{ $nodes.double }}' } },
      ],
    });

    const accepted = await post(server, spinner.key);
    expect(accepted.status).toBe(202);
    const { executionId } = await accepted.json();
    // The node before the script has finished: the script is next, in the sandbox.
    const waitForJobs = async (count: number) => {
      for (;;) {
        const { body } = await server.api('GET', `/api/executions/${executionId}`);
        if (body.jobs.length >= count) return body;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await waitForJobs(1);

    for (let n = 1; n <= 3; n++) {
      const response = await post(server, quick.key, { n });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ n: n * 2 });
    }
    // Those answered while the spinning script had not yet been stopped.
    const meanwhile = await server.api('GET', `/api/executions/${executionId}`);
    expect(meanwhile.body).toMatchObject({ status: 'running' });
    expect(meanwhile.body.jobs.map((j: { nodeKey: string }) => j.nodeKey)).toEqual(['before']);

    const finished = await server.waitForExecution(executionId, 'failed', 15_000);
    expect(finished.jobs[1]).toMatchObject({ nodeKey: 'spin', status: 'failed', error: { code: 'node_timeout', message: 'the script ran past its time limit (3000 ms)' } });
  });
});
