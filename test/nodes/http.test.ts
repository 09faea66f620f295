import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpPort } from '../../src/engine/http-port.js';
import { isOkStatus } from '../../src/nodes/http/ok-status.js';
import { fakePorts, runNodes } from '../engine/harness.js';

let server: Server;
let base: string;
const calls: { path: string; count: number }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen = calls.find((c) => c.path === url.pathname) ?? { path: url.pathname, count: 0 };
      if (seen.count === 0) calls.push(seen);
      seen.count++;
      const status = /^\/status\/(\d+)$/.exec(url.pathname);
      if (status) {
        res.writeHead(Number(status[1]), { 'content-type': 'application/json' }).end(JSON.stringify({ reason: 'because' }));
      } else if (url.pathname === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-thing': 'yes' }).end('plain words');
      } else if (url.pathname === '/bad-json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{not json');
      } else if (url.pathname === '/hang') {
        // never answers
      } else {
        const body = Buffer.concat(chunks).toString('utf8');
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({
          method: req.method, path: url.pathname, query: url.search, contentType: req.headers['content-type'] ?? null,
          auth: req.headers.authorization ?? null, body,
        }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const ports = () => fakePorts({ http: createHttpPort() });

describe('http node against a real server', () => {
  it('sends method, headers, query and a JSON body; parses the JSON answer', async () => {
    const { outcome, job } = await runNodes(
      [{
        key: 'call', type: 'http', method: 'POST', url: `${base}/echo`,
        headers: { Authorization: 'Bearer {{ $secrets.TOKEN }}' },
        query: { tag: ['a', 'b'], n: 1 },
        body: { id: '{{ $context.data.id }}' },
      }],
      { ports: ports(), secrets: { TOKEN: 't' }, context: { data: { id: 7 } } },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(job('call').output).toMatchObject({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { method: 'POST', path: '/echo', query: '?tag=a&tag=b&n=1', contentType: 'application/json', auth: 'Bearer t', body: '{"id":7}' },
    });
  });

  it('sends a string body as text and keeps a non-JSON answer as text', async () => {
    const echo = await runNodes([{ key: 'call', type: 'http', method: 'PUT', url: `${base}/echo`, body: 'hello' }], { ports: ports() });
    expect(echo.job('call').output).toMatchObject({ body: { method: 'PUT', contentType: 'text/plain; charset=utf-8', body: 'hello' } });
    const text = await runNodes([{ key: 'call', type: 'http', url: `${base}/text` }], { ports: ports() });
    expect(text.job('call').output).toMatchObject({ status: 200, headers: { 'x-thing': 'yes' }, body: 'plain words' });
  });

  it('fails on a non-2xx status with the status in the message; okStatus widens', async () => {
    const failed = await runNodes([{ key: 'call', type: 'http', url: `${base}/status/503?token=secret` }], { ports: ports() });
    expect(failed.outcome).toEqual({
      status: 'failed',
      error: { code: 'node_failed', message: `GET ${base}/status/503 answered 503`, nodeKey: 'call', details: { status: 503, body: { reason: 'because' } } },
    });
    const widened = await runNodes([{ key: 'call', type: 'http', url: `${base}/status/404`, okStatus: [404, '5xx'] }], { ports: ports() });
    expect(widened.job('call').output).toMatchObject({ status: 404, body: { reason: 'because' } });
  });

  it('retries 5xx but not 4xx (other than 408/429)', async () => {
    const five = await runNodes([{ key: 'call', type: 'http', url: `${base}/status/502`, retry: { max: 2, backoffMs: 1 } }], { ports: ports() });
    expect(five.job('call').attempts).toBe(3);
    const four = await runNodes([{ key: 'call', type: 'http', url: `${base}/status/400`, retry: { max: 2, backoffMs: 1 } }], { ports: ports() });
    expect(four.job('call').attempts).toBe(1);
    expect(calls.find((c) => c.path === '/status/400')?.count).toBe(1);
  });

  it('fails on a body that says JSON but is not', async () => {
    const { outcome } = await runNodes([{ key: 'call', type: 'http', url: `${base}/bad-json` }], { ports: ports() });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'node_failed', message: `GET ${base}/bad-json answered 200 with a body that says JSON but does not parse` } });
  });

  it('timeoutMs aborts the request', async () => {
    const started = Date.now();
    const { outcome } = await runNodes([{ key: 'call', type: 'http', url: `${base}/hang`, timeoutMs: 50 }], { ports: ports() });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'node_timeout', nodeKey: 'call' } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a connection error fails the node', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { outcome } = await runNodes([{ key: 'call', type: 'http', url: `http://127.0.0.1:${port}/x` }], { ports: ports() });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'node_failed', message: expect.stringContaining(`GET http://127.0.0.1:${port}/x failed`) } });
  });

  it('a templated url that is not http(s) fails without retrying', async () => {
    const { outcome, job } = await runNodes([{ key: 'call', type: 'http', url: '{{ $context.data.url }}', retry: { max: 3 } }], { ports: ports(), context: { data: { url: 'file:///etc/passwd' } } });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: 'url is not an absolute http:// or https:// URL' } });
    expect(job('call').attempts).toBe(1);
  });
});

describe('okStatus', () => {
  it('always accepts 2xx, then codes, classes and any', () => {
    expect(isOkStatus(204, undefined)).toBe(true);
    expect(isOkStatus(404, undefined)).toBe(false);
    expect(isOkStatus(404, 404)).toBe(true);
    expect(isOkStatus(409, '4xx')).toBe(true);
    expect(isOkStatus(500, [404, '3xx'])).toBe(false);
    expect(isOkStatus(500, 'any')).toBe(true);
  });
});
