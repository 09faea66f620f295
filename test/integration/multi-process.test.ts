import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonReply, startHttpPeer, type HttpPeer } from '../helpers/http-peer.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { createTestStore, storeKinds, type TestStore } from '../helpers/stores.js';

const TOKEN = 'multi-process-token';

// Several processes share one PostgreSQL database; SQLite is one process per file by design (docs/configuration.md).
describe.runIf(storeKinds.includes('postgres'))('a web process and worker processes on one PostgreSQL', { timeout: 60_000 }, () => {
  let testStore: TestStore;
  let peer: HttpPeer;
  let peerUrl: string;
  /** Paths the peer was called on, in order. */
  const hits = () => peer.requests.map((request) => request.path);
  const processes: ServerProcess[] = [];

  beforeAll(async () => {
    testStore = await createTestStore('postgres');
    peer = await startHttpPeer(() => jsonReply({}));
    peerUrl = peer.url;
  });
  afterAll(async () => {
    for (const server of processes) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await testStore.cleanup();
    await peer.close();
  });

  it('the web process only queues; the workers share the runs, each run once', async () => {
    const env = { ...testStore.env, HOOKFLOW_ADMIN_TOKEN: TOKEN, HOOKFLOW_WORKER_POLL_MS: '100' };
    const web = await spawnServer(env, 20_000, ['--role', 'web']);
    processes.push(web);

    const created = await fetch(`${web.url}/api/workflows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Shared',
        trigger: { type: 'webhook', mode: 'async' },
        nodes: [{ key: 'call', type: 'http', method: 'POST', url: `${peerUrl}/run/{{ $context.data.n }}` }],
      }),
    }).then((r) => r.json());

    const ids: string[] = [];
    for (let n = 0; n < 20; n++) {
      const accepted = await fetch(`${web.url}/api/webhooks/${created.key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n }),
      });
      expect(accepted.status).toBe(202);
      ids.push((await accepted.json()).executionId);
    }
    const list = (status: string) =>
      fetch(`${web.url}/api/executions?workflowId=${created.id}&status=${status}&limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } })
        .then((r) => r.json())
        .then((page: { items: unknown[] }) => page.items.length);
    // The web process runs nothing in the background: every run waits for a worker.
    expect(await list('queued')).toBe(20);
    expect(hits()).toEqual([]);

    processes.push(...(await Promise.all([spawnServer(env, 20_000, ['--role', 'worker']), spawnServer(env, 20_000, ['--role', 'worker'])])));

    await expect.poll(() => list('succeeded'), { timeout: 30_000, interval: 100 }).toBe(20);
    expect([...hits()].sort()).toEqual(Array.from({ length: 20 }, (_, n) => `/run/${n}`).sort());
  });
});
