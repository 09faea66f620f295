import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpPort } from '../../src/engine/http-port.js';
import { validateDefinition } from '../../src/engine/validate.js';
import { createDefaultRegistry } from '../../src/nodes/index.js';
import { definition, fakePorts, runNodes } from '../engine/harness.js';
import { startHttpPeer, type HttpPeer, type PeerReply } from '../helpers/http-peer.js';

const replies: Record<string, PeerReply> = {
  '/gbk': { headers: { 'content-type': 'text/plain; charset=gbk' }, body: Buffer.from([0xc4, 0xe3, 0xba, 0xc3]) }, // 你好
  '/xml': { headers: { 'content-type': 'application/atom+xml' }, body: '<feed/>' },
  '/png': { headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]) },
  '/untyped-text': { body: 'just words' },
  '/untyped-bytes': { body: Buffer.from([0xff, 0xfe, 0x00]) },
  '/empty': { status: 204 },
};

let peer: HttpPeer;
beforeAll(async () => {
  peer = await startHttpPeer((req) => replies[req.path] ?? { status: 200, body: 'ok' });
});
afterAll(() => peer.close());

const ports = () => fakePorts({ http: createHttpPort() });
const last = () => peer.requests.at(-1)!;

describe('http node request bodies', () => {
  it('sends bodyType form as urlencoded, lists repeating the name', async () => {
    const { outcome } = await runNodes(
      [{ key: 'call', type: 'http', method: 'POST', url: `${peer.url}/form`, bodyType: 'form', body: { name: 'A & B', tag: ['x', 'y'], n: 2, ok: true } }],
      { ports: ports() },
    );
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last().body).toBe('name=A+%26+B&tag=x&tag=y&n=2&ok=true');
  });

  it('sends text as is and an object with bodyType text as its JSON text; a content-type header wins', async () => {
    await runNodes([{ key: 'call', type: 'http', method: 'POST', url: `${peer.url}/t`, body: '<a>1</a>', headers: { 'Content-Type': 'application/xml' } }], { ports: ports() });
    expect(last()).toMatchObject({ body: '<a>1</a>', headers: { 'content-type': 'application/xml' } });
    await runNodes([{ key: 'call', type: 'http', method: 'PUT', url: `${peer.url}/t`, bodyType: 'text', body: { a: 1 } }], { ports: ports() });
    expect(last()).toMatchObject({ method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });

  it('sends a string with bodyType json as a JSON string', async () => {
    await runNodes([{ key: 'call', type: 'http', method: 'POST', url: `${peer.url}/j`, bodyType: 'json', body: 'hi' }], { ports: ports() });
    expect(last()).toMatchObject({ body: '"hi"', headers: { 'content-type': 'application/json' } });
  });

  it('appends query to the URL\'s own query', async () => {
    await runNodes([{ key: 'call', type: 'http', url: `${peer.url}/q?a=1`, query: { b: 'x y', c: [1, 2] } }], { ports: ports() });
    expect(last().search).toBe('?a=1&b=x+y&c=1&c=2');
  });

  it('refuses a form body that is not an object of scalars, when saved and when templated', async () => {
    const registry = createDefaultRegistry();
    const saved = validateDefinition(definition([{ key: 'call', type: 'http', method: 'POST', url: 'https://x.example', bodyType: 'form', body: { a: { b: 1 } } }]), registry);
    expect(saved).toMatchObject({ ok: false, problems: [{ path: 'nodes[0].body', message: expect.stringContaining('form') }] });
    const run = await runNodes(
      [{ key: 'call', type: 'http', method: 'POST', url: `${peer.url}/f`, bodyType: 'form', body: '{{ $context.data.list }}', retry: { max: 2 } }],
      { ports: ports(), context: { data: { list: [1, 2] } } },
    );
    expect(run.outcome).toMatchObject({ status: 'failed', error: { message: 'body must be an object to be sent as a form' } });
    expect(run.job('call').attempts).toBe(1);
  });
});

describe('http node response bodies', () => {
  const body = async (path: string) => (await runNodes([{ key: 'call', type: 'http', url: `${peer.url}${path}` }], { ports: ports() })).job('call').output;

  it('decodes text by its charset', async () => {
    expect(await body('/gbk')).toMatchObject({ body: '你好' });
    expect(await body('/xml')).toMatchObject({ body: '<feed/>' });
  });

  it('gives other types as base64 with their size', async () => {
    expect(await body('/png')).toMatchObject({ headers: { 'content-type': 'image/png' }, body: { base64: 'iVBORwD/', size: 6 } });
  });

  it('reads an untyped body as text when it is UTF-8, else as base64', async () => {
    expect(await body('/untyped-text')).toMatchObject({ body: 'just words' });
    expect(await body('/untyped-bytes')).toMatchObject({ body: { base64: '//4A', size: 3 } });
  });

  it('gives null for an empty body', async () => {
    expect(await body('/empty')).toEqual({ status: 204, headers: expect.any(Object), body: null });
  });
});
