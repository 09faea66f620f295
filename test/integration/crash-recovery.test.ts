import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonReply, startHttpPeer, type HttpPeer } from '../helpers/http-peer.js';
import { spawnServer } from '../helpers/process.js';
import { createTestStore, storeKinds, type TestStore } from '../helpers/stores.js';

const TOKEN = 'crash-test-token';

async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(storeKinds)("kill -9 during an async run on %s", { timeout: 60_000 }, (kind) => {
  let testStore: TestStore;
  let peer: HttpPeer;
  let peerUrl: string;
  /** Paths the peer was called on, in order. */
  const hits = () => peer.requests.map((request) => request.path);
  beforeAll(async () => {
    testStore = await createTestStore(kind);
    peer = await startHttpPeer(() => jsonReply({ ok: true }));
    peerUrl = peer.url;
  });
  afterAll(async () => {
    await testStore.cleanup();
    await peer.close();
  });

  it('loses nothing after the 202 and does not repeat finished nodes', async () => {
    // A short lease, so that on PostgreSQL the restarted process takes the dead one's run over quickly.
    const env = { ...testStore.env, HOOKFLOW_ADMIN_TOKEN: TOKEN, HOOKFLOW_LEASE_MS: '1000', HOOKFLOW_WORKER_POLL_MS: '100' };
    const first = await spawnServer(env);
    const created = await api(first.url, 'POST', '/api/workflows', {
      title: 'Crash me',
      trigger: { type: 'webhook', mode: 'async' },
      nodes: [
        { key: 'before', type: 'http', method: 'POST', url: `${peerUrl}/before` },
        { key: 'wait', type: 'delay', ms: 1500 },
        { key: 'after', type: 'http', method: 'POST', url: `${peerUrl}/after` },
      ],
    });
    expect(created.status).toBe(201);
    const accepted = await fetch(`${first.url}/api/webhooks/${created.body.key}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(accepted.status).toBe(202);
    const { executionId } = await accepted.json();

    // Wait until the first node's job is committed, then kill the process mid-delay.
    await until('the first job', async () => {
      const { body } = await api(first.url, 'GET', `/api/executions/${executionId}`);
      return body?.jobs?.some((j: { nodeKey: string }) => j.nodeKey === 'before') ? true : undefined;
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(hits()).toEqual(['/before']);

    const second = await spawnServer(env);
    try {
      const done = await until('the resumed run', async () => {
        const { body } = await api(second.url, 'GET', `/api/executions/${executionId}`);
        return body?.status === 'succeeded' ? body : undefined;
      });
      expect(hits()).toEqual(['/before', '/after']);
      expect(done.jobs.map((j: { nodeKey: string }) => j.nodeKey)).toEqual(['before', 'wait', 'after']);
      expect(done.attempt).toBeGreaterThanOrEqual(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('on SIGTERM lets a short run finish and hands a long one back to the next start', async () => {
    const env = { ...testStore.env, HOOKFLOW_ADMIN_TOKEN: TOKEN, HOOKFLOW_SHUTDOWN_GRACE_MS: '500', HOOKFLOW_LEASE_MS: '1000' };
    const first = await spawnServer(env);
    const short = await api(first.url, 'POST', '/api/workflows', {
      title: 'Short',
      trigger: { type: 'webhook', mode: 'async' },
      nodes: [{ key: 'pause', type: 'delay', ms: 200 }, { key: 'mark', type: 'http', method: 'POST', url: `${peerUrl}/short` }],
    });
    const long = await api(first.url, 'POST', '/api/workflows', {
      title: 'Long',
      trigger: { type: 'webhook', mode: 'async' },
      nodes: [{ key: 'pause', type: 'delay', ms: 3000 }, { key: 'mark', type: 'http', method: 'POST', url: `${peerUrl}/long` }],
    });
    const shortRun = await (await fetch(`${first.url}/api/webhooks/${short.body.key}`, { method: 'POST' })).json();
    const longRun = await (await fetch(`${first.url}/api/webhooks/${long.body.key}`, { method: 'POST' })).json();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(hits()).toContain('/short');
    expect(hits()).not.toContain('/long');

    const second = await spawnServer(env);
    try {
      const shortDone = await api(second.url, 'GET', `/api/executions/${shortRun.executionId}`);
      expect(shortDone.body.status).toBe('succeeded');
      await until('the handed-back run', async () => {
        const { body } = await api(second.url, 'GET', `/api/executions/${longRun.executionId}`);
        return body?.status === 'succeeded' ? body : undefined;
      });
      expect(hits().filter((h) => h === '/long')).toHaveLength(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
