import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const json = { 'content-type': 'application/json' };

describe.each(storeKinds)('limits against overload and slow senders on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind, { maxSyncRuns: 1, headersTimeoutMs: 300, requestTimeoutMs: 600 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers 503 with Retry-After once the sync runs are at the cap', async () => {
    const workflow = await server.createWorkflow({
      title: 'Slow sync',
      trigger: { type: 'webhook' },
      nodes: [{ key: 'pause', type: 'delay', ms: 400 }, { key: 'reply', type: 'respond', body: { done: true } }],
    });
    const first = server.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: json });
    await expect.poll(() => server.hookflow.runner.inFlight(), { timeout: 5000 }).toBe(1);
    const second = await server.call('POST', `/api/webhooks/${workflow.key}`, { body: '{}', headers: json });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await second.json()).error.code).toBe('unavailable');
    expect((await first).status).toBe(200);
    const outcomes = (await server.api('GET', `/api/requests?workflowId=${workflow.id}`)).body.items.map((e: { outcome: string }) => e.outcome);
    expect(outcomes.sort()).toEqual(['accepted', 'unavailable']);

  });

  it('drops a client that does not finish its headers in time', async () => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /api/webhooks/anything HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    socket.destroy();
    expect(closed).toBe(true);
    expect(Buffer.concat(received).toString()).toMatch(/^(HTTP\/1\.1 408|$)/);
  });
});

describe('HTTPS', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hookflow-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    server = await startTestServer('sqlite', { tlsCert: path.join(dir, 'cert.pem'), tlsKey: path.join(dir, 'key.pem') });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves webhooks and the API over TLS with the configured certificate', async () => {
    expect(server.url.startsWith('https://')).toBe(true);
    const ca = readFileSync(path.join(dir, 'cert.pem'));
    const get = (pathname: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest(new URL(pathname, server.url), { ca, headers }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('/healthz')).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect((await get('/api/workflows', { authorization: 'Bearer test-admin-token' })).status).toBe(200);
    // Without the certificate as a trusted authority the client refuses: it really is TLS.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
