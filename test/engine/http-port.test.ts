import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpPort } from '../../src/engine/http-port.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(64 * 1024, 1));
      return;
    }
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.writeHead(201, { 'X-Mixed-Case': 'v' }).end(`${req.method} ${req.headers['x-in'] ?? ''}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('createHttpPort', () => {
  it('returns status, lower-case flattened headers and the body bytes', async () => {
    const res = await createHttpPort().request({ method: 'PATCH', url: `${base}/x`, headers: { 'x-in': 'hello' } });
    expect(res.status).toBe(201);
    expect(res.headers).toMatchObject({ 'x-mixed-case': 'v', 'set-cookie': 'a=1, b=2' });
    expect(Buffer.from(res.body).toString()).toBe('PATCH hello');
  });

  it('rejects bodies over maxResponseBytes', async () => {
    await expect(createHttpPort({ maxResponseBytes: 1024 }).request({ method: 'GET', url: `${base}/big`, headers: {} })).rejects.toThrow(
      'response body is larger than 1024 bytes',
    );
  });

  it('honours the abort signal', async () => {
    await expect(createHttpPort().request({ method: 'GET', url: `${base}/x`, headers: {}, signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
