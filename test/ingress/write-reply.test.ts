import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReply } from '../../src/ingress/write-reply.js';

interface Case {
  status: number;
  headers: Array<[string, string]>;
  body: unknown;
}

describe('writeReply over real HTTP', () => {
  const cases = new Map<string, Case>();
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const reply = cases.get(request.url!)!;
      writeReply(response, reply.status, reply.headers, reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function answer(reply: Case, method = 'GET') {
    const path = `/${cases.size}`;
    cases.set(path, reply);
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    return { status: response.status, type: response.headers.get('content-type'), length: response.headers.get('content-length'), text: await response.text(), headers: response.headers };
  }

  it('sends objects, arrays, numbers and booleans as JSON', async () => {
    expect(await answer({ status: 201, headers: [], body: { ok: true, n: [1, 2] } })).toMatchObject({ status: 201, type: 'application/json; charset=utf-8', text: '{"ok":true,"n":[1,2]}', length: '21' });
    expect(await answer({ status: 200, headers: [], body: 42 })).toMatchObject({ type: 'application/json; charset=utf-8', text: '42' });
    expect(await answer({ status: 200, headers: [], body: false })).toMatchObject({ text: 'false' });
  });

  it('sends strings as UTF-8 text, counting bytes not characters', async () => {
    expect(await answer({ status: 200, headers: [], body: 'héllo' })).toMatchObject({ type: 'text/plain; charset=utf-8', text: 'héllo', length: '6' });
  });

  it('sends bytes as they are', async () => {
    const reply = await answer({ status: 200, headers: [], body: Buffer.from([0, 255]) });
    expect(reply).toMatchObject({ type: 'application/octet-stream', length: '2' });
  });

  it("keeps the workflow's Content-Type, and adds a charset to a JSON type that names none", async () => {
    expect(await answer({ status: 200, headers: [['Content-Type', 'text/html']], body: '<b>hi</b>' })).toMatchObject({ type: 'text/html', text: '<b>hi</b>' });
    expect(await answer({ status: 400, headers: [['content-type', 'application/problem+json']], body: { title: 'no' } })).toMatchObject({
      type: 'application/problem+json; charset=utf-8',
      text: '{"title":"no"}',
    });
    expect(await answer({ status: 200, headers: [['content-type', 'application/hal+json; charset=utf-8']], body: {} })).toMatchObject({ type: 'application/hal+json; charset=utf-8' });
  });

  it('answers without a body when there is none, and never sends one to HEAD', async () => {
    expect(await answer({ status: 204, headers: [['x-tag', 'a']], body: null })).toMatchObject({ status: 204, text: '' });
    const empty = await answer({ status: 200, headers: [], body: undefined });
    expect(empty).toMatchObject({ status: 200, length: '0', text: '', type: null });
    const head = await new Promise<{ length: string | undefined; bytes: number }>((resolve, reject) => {
      cases.set('/head', { status: 200, headers: [], body: { a: 1 } });
      const req = httpRequest({ host: '127.0.0.1', port, path: '/head', method: 'HEAD' }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ length: res.headers['content-length'], bytes }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(head).toEqual({ length: '7', bytes: 0 });
  });
});
