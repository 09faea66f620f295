/**
 * Hostile requests against a real Hookflow over real HTTP, on every store:
 * each is answered with the contract's status and error body, the server
 * keeps answering, the request log has the request with its outcome, and no
 * stack, host object or secret comes back to the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { githubHeaders } from '../verify/sign.js';
import { headerValues, jsonOf, rawRequest, type RawAnswer } from './raw-http.js';

const SECRET = 'hostile-test-secret-3f9a1c';
const LIMIT = 4 * 1024 * 1024;

const echo = {
  title: 'Hostile echo',
  trigger: { type: 'webhook', path: 'hostile/echo', methods: ['POST'], maxBodyBytes: LIMIT },
  nodes: [
    // Interpolating data into a longer template must not evaluate it either.
    { key: 'quoted', type: 'set', values: { text: 'got {{ $context.data.v }}' } },
    {
      key: 'reply',
      type: 'respond',
      body: {
        data: '{{ $context.data }}',
        raw: '{{ $context.rawBody }}',
        type: "{{ $context.headers['content-type'] }}",
        sig: "{{ $context.headers['x-hub-signature-256'] }}",
        quoted: '{{ $nodes.quoted.text }}',
        proto: "{{ $context.data['__proto__'] }}",
      },
    },
  ],
};

const signed = {
  title: 'Hostile signed',
  trigger: { type: 'webhook', path: 'hostile/signed', methods: ['POST'], verify: { preset: 'github', secret: '{{ $secrets.HOSTILE_SECRET }}' } },
  nodes: [{ key: 'reply', type: 'respond', body: { ok: true } }],
};

const headerEcho = {
  title: 'Hostile header echo',
  trigger: { type: 'webhook', path: 'hostile/header', methods: ['POST'] },
  nodes: [{ key: 'reply', type: 'respond', status: 200, headers: { 'x-echo': '{{ $context.data.v }}' }, body: { ok: true } }],
};

/** Nothing of the host may reach a caller: stack frames, file paths, the secret, JS internals. */
function expectNoLeak(text: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/node_modules|\/work\/|file:\/\//);
  expect(text).not.toMatch(/\[object Object\]|function \w*\(|\[native code\]/);
}

function expectError(answer: RawAnswer, status: number, code: string): { code: string; message: string } {
  expect(answer.status).toBe(status);
  const body = jsonOf(answer);
  expect(body).toEqual({ error: { code, message: expect.any(String), ...(body.error?.details === undefined ? {} : { details: expect.anything() }) } });
  expectNoLeak(answer.bytes.toString('latin1'));
  return body.error;
}

describe.each(storeKinds)('hostile requests on %s', (kind) => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  let cases = 0;

  /** A request tagged with `x-case`, so its request-log entry can be found. */
  const send = (path: string, request: { body?: Buffer | string; headers?: Array<[string, string]>; contentLength?: number; timeoutMs?: number; hangUp?: boolean }) => {
    const tag = `case-${++cases}`;
    const answer = rawRequest(server.url, { path: `/api/webhooks/${path}`, ...request, headers: [['x-case', tag], ...(request.headers ?? [])] });
    return answer.then((a) => ({ ...a, tag }));
  };

  /**
   * The request's entry in the request log. Refusals answered before the body was read (a timeout)
   * are logged a moment after the answer, so this waits for the entry, for at most five seconds.
   */
  const logEntry = async (workflowId: string, tag: string) => {
    const deadline = Date.now() + 5000;
    let entries: any[] = [];
    for (let tries = 0; tries < 100 && Date.now() < deadline; tries++) {
      const { body } = await server.api('GET', `/api/requests?workflowId=${workflowId}&limit=200`);
      entries = body.items.filter((item: { headers: Record<string, string> }) => item.headers['x-case'] === tag);
      if (entries.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // One request, one entry: never none, never two.
    expect(entries, `request-log entries for ${tag}`).toHaveLength(1);
    const entry = entries[0];
    expectNoLeak(JSON.stringify(entry));
    return entry;
  };

  /** The server still answers an ordinary request after whatever came before. */
  const stillServes = async () => {
    const ok = await send('hostile/echo', { body: '{"ok":1}', headers: [['content-type', 'application/json']] });
    expect(ok.status).toBe(200);
    expect(jsonOf(ok).data).toEqual({ ok: 1 });
  };

  beforeAll(async () => {
    // A low request timeout, so a body that never arrives in full is given up on quickly.
    server = await startTestServer(kind, { requestTimeoutMs: 1000, headersTimeoutMs: 1000 });
    expect((await server.api('PUT', '/api/secrets/HOSTILE_SECRET', { value: SECRET })).status).toBe(204);
    ids.echo = (await server.createWorkflow(echo)).id;
    ids.signed = (await server.createWorkflow(signed)).id;
    ids.header = (await server.createWorkflow(headerEcho)).id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('malformed and truncated JSON', () => {
    it.each([
      ['{"a": 1,\n  "b": }', /line 2 column 8/],
      ['{"a": [1, 2', /line 1 column 12: unexpected end of input/],
      ['{"a": "unterminated', /unterminated string/],
      ['{"a": 1}}', /after the end of the JSON value/],
      ["{'a': 1}", /line 1 column 2/],
      ['[1, 2,]', /line 1 column 7/],
      ['{"a": NaN}', /line 1 column 7/],
    ])('%j is 400 malformed_body saying where', async (text, where) => {
      const answer = await send('hostile/echo', { body: text, headers: [['content-type', 'application/json']] });
      const error = expectError(answer, 400, 'malformed_body');
      expect(error.message).toMatch(where);
      // The caller's body is not echoed back into the message.
      expect(error.message).not.toContain(text);
      const entry = await logEntry(ids.echo!, answer.tag);
      expect(entry).toMatchObject({ outcome: 'bad_request', status: 400 });
      expect(entry.reason).toMatch(where);
    });

    it('a body cut short of its Content-Length is given up on, answered, logged, and the server goes on', async () => {
      const answer = await send('hostile/echo', { body: '{"a": [1, 2', contentLength: 100, headers: [['content-type', 'application/json']], timeoutMs: 8000 });
      expect(answer.end).not.toBe('timeout');
      expect(answer.elapsedMs).toBeLessThan(8000);
      const error = expectError(answer, 408, 'bad_request');
      expect(error.message).toBe('the request was not received in full within 1000 ms');
      const entry = await logEntry(ids.echo!, answer.tag);
      expect(entry).toMatchObject({ outcome: 'bad_request', status: 408, reason: 'the request was not received in full within the request timeout' });
      await stillServes();
    });

    it('a sender that hangs up mid-body is logged as such, and the server goes on', async () => {
      const answer = await send('hostile/echo', { body: '{"a": [1, 2', contentLength: 100, headers: [['content-type', 'application/json']], hangUp: true });
      // Half-closed, the connection can still carry an answer; when one comes it is the contract's 400.
      if (answer.status !== 0) expect(expectError(answer, 400, 'bad_request').message).toBe('the connection was closed before the whole request arrived');
      const entry = await logEntry(ids.echo!, answer.tag);
      expect(entry).toMatchObject({ outcome: 'bad_request', status: 400, reason: 'the client closed the connection before the whole body arrived' });
      await stillServes();
    });

    it('bytes past the Content-Length are a next request: not HTTP, so 400 and the connection closes', async () => {
      const answer = await send('hostile/echo', { body: '{"a": 1}GARBAGE', contentLength: 8, headers: [['content-type', 'application/json']] });
      // One answer on the connection, never two: Node parses the garbage while the first request
      // still runs and refuses the connection (its own behaviour too); the first request ran all the same.
      expect(answer.bytes.toString('latin1').match(/HTTP\/1\.1 /g)).toHaveLength(1);
      if (answer.status === 200) expect(jsonOf(answer).data).toEqual({ a: 1 });
      else expect(expectError(answer, 400, 'bad_request').message).toBe('the request is not valid HTTP/1.1');
      expect(await logEntry(ids.echo!, answer.tag)).toMatchObject({ outcome: 'accepted', status: 200 });
      await stillServes();
    });
  });

  describe('size and shape within the body limit', () => {
    it('100,000 unclosed [ is a 400 naming the end of input, not a crash', async () => {
      const answer = await send('hostile/echo', { body: '['.repeat(100_000), headers: [['content-type', 'application/json']] });
      const error = expectError(answer, 400, 'malformed_body');
      expect(error.message).toMatch(/line 1 column 100001: unexpected end of input/);
      expect((await logEntry(ids.echo!, answer.tag)).outcome).toBe('bad_request');
      await stillServes();
    });

    it('100,000 balanced [ ] is refused as too deeply nested, not a stack overflow', async () => {
      const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const answer = await send('hostile/echo', { body, headers: [['content-type', 'application/json']] });
      const error = expectError(answer, 400, 'malformed_body');
      expect(error.message).toBe('invalid JSON at line 1 column 1001: nested more than 1000 levels deep');
      expect((await logEntry(ids.echo!, answer.tag)).outcome).toBe('bad_request');
      await stillServes();
    });

    it('an enormous array and an enormous key come through whole', async () => {
      const items = Array.from({ length: 150_000 }, (_, i) => i % 10);
      const key = 'k'.repeat(1_000_000);
      const body = JSON.stringify({ items, [key]: 'long key' });
      expect(body.length).toBeLessThan(LIMIT / 2);
      const answer = await send('hostile/echo', { body, headers: [['content-type', 'application/json']] });
      expect(answer.status).toBe(200);
      const data = jsonOf(answer).data;
      expect(data.items).toHaveLength(150_000);
      expect(data[key]).toBe('long key');
      expect((await logEntry(ids.echo!, answer.tag)).outcome).toBe('accepted');
    });

    it('100,000 form fields are 413 (over the field count), and logged as too_large', async () => {
      const body = Array.from({ length: 100_000 }, (_, i) => `f${i}=1`).join('&');
      const answer = await send('hostile/echo', { body, headers: [['content-type', 'application/x-www-form-urlencoded']] });
      expectError(answer, 413, 'payload_too_large');
      expect(await logEntry(ids.echo!, answer.tag)).toMatchObject({ outcome: 'too_large', status: 413 });
      await stillServes();
    });
  });

  describe('__proto__, constructor and prototype keys', () => {
    /** The echoed data (parsed here by JSON.parse, which keeps `__proto__` as an own key) holds all three as keys. */
    const dangerous = (data: Record<string, unknown>) => {
      expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ polluted: 'yes' });
      expect(Object.getOwnPropertyDescriptor(data, 'constructor')?.value).toEqual({ prototype: { polluted: 'yes' } });
      expect(data.prototype).toBe('p');
    };

    it('in JSON are data, echoed back as data, and readable as data by expressions', async () => {
      const body = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "prototype": "p"}';
      const answer = await send('hostile/echo', { body, headers: [['content-type', 'application/json']] });
      expect(answer.status).toBe(200);
      dangerous(jsonOf(answer).data);
      expect(jsonOf(answer).proto).toEqual({ polluted: 'yes' });
      expect((await logEntry(ids.echo!, answer.tag)).outcome).toBe('accepted');
    });

    it('in urlencoded fields are data', async () => {
      const body = '__proto__[polluted]=yes&constructor[prototype][polluted]=yes&prototype=p';
      const answer = await send('hostile/echo', { body, headers: [['content-type', 'application/x-www-form-urlencoded']] });
      expect(answer.status).toBe(200);
      dangerous(jsonOf(answer).data);
    });

    it('in multipart fields are data', async () => {
      const form = new FormData();
      form.append('__proto__[polluted]', 'yes');
      form.append('constructor[prototype][polluted]', 'yes');
      form.append('prototype', 'p');
      const response = new Response(form);
      const answer = await send('hostile/echo', {
        body: Buffer.from(await response.arrayBuffer()),
        headers: [['content-type', response.headers.get('content-type')!]],
      });
      expect(answer.status).toBe(200);
      dangerous(jsonOf(answer).data);
    });

    it('pollute nothing: not this process (the server runs in it), not the next request', async () => {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(Object.prototype)).toEqual([]);
      const answer = await send('hostile/echo', { body: '{"v": 1}', headers: [['content-type', 'application/json']] });
      expect(jsonOf(answer)).toMatchObject({ data: { v: 1 } });
      expect(jsonOf(answer).proto).toBeUndefined();
      expect(jsonOf(answer).data.polluted).toBeUndefined();
    });
  });

  describe('invalid UTF-8', () => {
    const bad = Buffer.from([0x7b, 0x22, 0x76, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d]); // {"v":"<bad bytes>"}

    it('in a JSON body is decoded with U+FFFD, not a crash', async () => {
      const answer = await send('hostile/echo', { body: bad, headers: [['content-type', 'application/json']] });
      expect(answer.status).toBe(200);
      const { data } = jsonOf(answer);
      expect(data.v).toContain('\uFFFD');
      expect(data.v).not.toMatch(/[\uD800-\uDFFF]/);
      expect((await logEntry(ids.echo!, answer.tag)).outcome).toBe('accepted');
    });

    it('in a text body is decoded with U+FFFD', async () => {
      const answer = await send('hostile/echo', { body: Buffer.from([0x61, 0xff, 0x62, 0xc0, 0xaf]), headers: [['content-type', 'text/plain']] });
      expect(answer.status).toBe(200);
      expect(jsonOf(answer).data).toMatch(/^a\uFFFDb\uFFFD+$/);
    });

    it('in a body without a content type is kept as bytes (base64)', async () => {
      const raw = Buffer.from([0xff, 0xfe, 0x00, 0x01]);
      const answer = await send('hostile/echo', { body: raw });
      expect(answer.status).toBe(200);
      expect(jsonOf(answer).data).toEqual({ contentType: null, size: 4, base64: raw.toString('base64') });
    });

    it('in a multipart field name and value is decoded with U+FFFD', async () => {
      const boundary = 'hostileBoundary';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="n`),
        Buffer.from([0xff]),
        Buffer.from(`"\r\n\r\nv`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const answer = await send('hostile/echo', { body, headers: [['content-type', `multipart/form-data; boundary=${boundary}`]] });
      expect(answer.status).toBe(200);
      expect(jsonOf(answer).data).toEqual({ 'n\uFFFD': 'v\uFFFD(' });
    });
  });

  describe('wrong or missing content types', () => {
    it('JSON sent as text/plain is text, not parsed', async () => {
      const answer = await send('hostile/echo', { body: '{"a":1}', headers: [['content-type', 'text/plain']] });
      expect(jsonOf(answer).data).toBe('{"a":1}');
    });

    it('JSON without a content type is sniffed as JSON; non-JSON without one is text', async () => {
      expect(jsonOf(await send('hostile/echo', { body: '{"a":1}' })).data).toEqual({ a: 1 });
      expect(jsonOf(await send('hostile/echo', { body: '{not json' })).data).toBe('{not json');
    });

    it('a form sent as application/json is 400 malformed_body', async () => {
      const answer = await send('hostile/echo', { body: 'a=1&b=2', headers: [['content-type', 'application/json']] });
      expectError(answer, 400, 'malformed_body');
      expect((await logEntry(ids.echo!, answer.tag)).outcome).toBe('bad_request');
    });

    it('multipart without a boundary is 400 malformed_body', async () => {
      const answer = await send('hostile/echo', { body: '--x\r\n', headers: [['content-type', 'multipart/form-data']] });
      expect(expectError(answer, 400, 'malformed_body').message).toMatch(/boundary/);
      expect((await logEntry(ids.echo!, answer.tag)).outcome).toBe('bad_request');
    });

    it.each(['garbage', 'json', 'application/', '/json', ';;;', ''])(
      'a Content-Type that is not type/subtype (%j) is treated as none: sniffed, never refused',
      async (type) => {
        const answer = await send('hostile/echo', { body: '{"a":1}', headers: [['content-type', type]] });
        expect(answer.status).toBe(200);
        // The workflow still sees the header as it was sent.
        expect(jsonOf(answer)).toMatchObject({ data: { a: 1 }, type });
        expect((await logEntry(ids.echo!, answer.tag)).headers['content-type']).toBe(type);
      },
    );

    it.each([
      ['an unknown charset', 'text/plain; charset=no-such-charset', '{"a":1}', '{"a":1}'],
      ['a binary type', 'image/png', '{"a":1}', { contentType: 'image/png', size: 7, base64: Buffer.from('{"a":1}').toString('base64') }],
      ['JSON declared as UTF-16', 'application/json; charset=utf-16le', Buffer.from('{"a":1}', 'utf16le'), { a: 1 }],
    ])('%s is answered as its rules say', async (_name, type, body, data) => {
      const answer = await send('hostile/echo', { body, headers: [['content-type', type]] });
      expect(answer.status).toBe(200);
      expect(jsonOf(answer).data).toEqual(data);
    });
  });

  describe('duplicate headers', () => {
    const body = '{"action":"opened"}';

    it('two x-hub-signature-256, one of them right, are refused: no choosing the one that matches', async () => {
      const good = githubHeaders(SECRET, body)['x-hub-signature-256'];
      for (const order of [[good, 'sha256=00'], ['sha256=00', good]]) {
        const answer = await send('hostile/signed', {
          body,
          headers: [['content-type', 'application/json'], ['x-hub-signature-256', order[0]!], ['x-hub-signature-256', order[1]!]],
        });
        const error = expectError(answer, 401, 'unauthorized');
        expect(error.message).not.toMatch(/sha256|x-hub/i);
        const entry = await logEntry(ids.signed!, answer.tag);
        expect(entry).toMatchObject({ outcome: 'unauthorized', status: 401 });
      }
      // The same signature alone is accepted: it was the duplicate that was refused.
      const single = await send('hostile/signed', { body, headers: [['content-type', 'application/json'], ['x-hub-signature-256', good]] });
      expect(single.status).toBe(200);
    });

    it('a workflow sees repeated headers joined with ", ", and the first content-type wins', async () => {
      const answer = await send('hostile/echo', {
        body,
        headers: [['content-type', 'application/json'], ['content-type', 'text/plain'], ['x-hub-signature-256', 'a'], ['x-hub-signature-256', 'b']],
      });
      expect(answer.status).toBe(200);
      expect(jsonOf(answer)).toMatchObject({ data: { action: 'opened' }, type: 'application/json', sig: 'a, b' });
    });

    it('two different Content-Lengths are refused before any route runs, and the server goes on', async () => {
      const answer = await rawRequest(server.url, {
        path: '/api/webhooks/hostile/echo',
        headers: [['content-type', 'application/json'], ['content-length', '8']],
        contentLength: 9,
        body: '{"a": 1} ',
      });
      expect(expectError(answer, 400, 'bad_request').message).toBe('the request is not valid HTTP/1.1');
      await stillServes();
    });

    it('thousands of repeated headers past the header size limit are 431 in the contract shape', async () => {
      const many = Array.from({ length: 2000 }, (): [string, string] => ['x-hub-signature-256', 'sha256=00']);
      const answer = await send('hostile/signed', { body: '{}', headers: [['content-type', 'application/json'], ...many] });
      expect(expectError(answer, 431, 'bad_request').message).toBe('the request headers are too large');
      await stillServes();
    });
  });

  describe('{{ }} inside data', () => {
    it('comes back as the literal text: data is never evaluated, even when interpolated', async () => {
      const body = JSON.stringify({ v: '{{ 1+1 }}', w: "{{ $secrets.HOSTILE_SECRET }}", x: '{{ $context }}' });
      const answer = await send('hostile/echo', { body, headers: [['content-type', 'application/json']] });
      expect(answer.status).toBe(200);
      const reply = jsonOf(answer);
      expect(reply.data).toEqual(JSON.parse(body));
      expect(reply.quoted).toBe('got {{ 1+1 }}');
      expectNoLeak(answer.bytes.toString('latin1'));
    });

    it('in form fields and text bodies too', async () => {
      const form = await send('hostile/echo', { body: 'v={{+1%2B1+}}', headers: [['content-type', 'application/x-www-form-urlencoded']] });
      expect(jsonOf(form)).toMatchObject({ data: { v: '{{ 1+1 }}' }, quoted: 'got {{ 1+1 }}' });
      const text = await send('hostile/echo', { body: '{{ $secrets.HOSTILE_SECRET }}', headers: [['content-type', 'text/plain']] });
      expect(jsonOf(text).data).toBe('{{ $secrets.HOSTILE_SECRET }}');
      expectNoLeak(text.bytes.toString('latin1'));
    });
  });

  describe('header injection through a templated response header', () => {
    it.each([
      ['CRLF', 'a\r\nSet-Cookie: x=1'],
      ['LF', 'a\nSet-Cookie: x=1'],
      ['CR', 'a\rSet-Cookie: x=1'],
      ['NUL', 'a\u0000b'],
      ['non-latin1', 'a\u2028Set-Cookie: x=1'],
    ])('%s in the value is an error answer, never a split response', async (_name, value) => {
      const answer = await send('hostile/header', { body: JSON.stringify({ v: value }), headers: [['content-type', 'application/json']] });
      const raw = answer.bytes.toString('latin1');
      expect(raw).not.toMatch(/^set-cookie/im);
      expect(headerValues(answer, 'x-echo')).toEqual([]);
      expect(raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      const error = expectError(answer, 500, 'internal');
      expect(error.message).toBe('the workflow\'s response header "x-echo" is not a valid HTTP header');
      const entry = await logEntry(ids.header!, answer.tag);
      expect(entry).toMatchObject({ outcome: 'error', status: 500 });
      await stillServes();
    });

    it('an ordinary value is sent as the header', async () => {
      const answer = await send('hostile/header', { body: '{"v": "plain value"}', headers: [['content-type', 'application/json']] });
      expect(answer.status).toBe(200);
      expect(headerValues(answer, 'x-echo')).toEqual(['plain value']);
    });
  });
});
