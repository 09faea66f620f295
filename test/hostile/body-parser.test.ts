/**
 * The body parser against hostile input, in process: deep nesting, huge
 * arrays and keys, prototype keys, invalid UTF-8, nonsense content types —
 * and fast-check over arbitrary bytes, types, JSON values and form fields.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBody, type SaveFile } from '../../src/ingress/body.js';
import { HookflowError } from '../../src/shared/errors.js';

const saveFile: SaveFile = async () => 'file-id';

const parse = (raw: string | Buffer, contentType: string | undefined) =>
  parseBody({ raw: typeof raw === 'string' ? Buffer.from(raw) : raw, contentType, saveFile });

async function refusal(promise: Promise<unknown>): Promise<HookflowError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HookflowError);
  return err as HookflowError;
}

/** Object.prototype must stay clean in this process, whatever the parser was fed. */
function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

afterEach(() => {
  expectNoPollution();
});

describe('deep nesting', () => {
  it('100,000 unclosed [ is malformed_body at the end of input, without recursion', async () => {
    const err = await refusal(parse('['.repeat(100_000), 'application/json'));
    expect(err).toMatchObject({ code: 'malformed_body', status: 400 });
    expect(err.message).toBe('invalid JSON at line 1 column 100001: unexpected end of input');
  });

  it('JSON nested past 1,000 levels is malformed_body saying where, not a stack overflow later', async () => {
    for (const [open, close] of [['[', ']'], ['{"a":', '}']] as const) {
      const text = `${open.repeat(100_000)}1${close.repeat(100_000)}`;
      const err = await refusal(parse(text, 'application/json'));
      expect(err).toMatchObject({ code: 'malformed_body', status: 400, details: { line: 1, column: 1000 * open.length + 1 } });
      expect(err.message).toMatch(/^invalid JSON at line 1 column \d+: nested more than 1000 levels deep$/);
    }
  });

  it('exactly 1,000 levels is still data', async () => {
    const { data } = await parse(`${'['.repeat(1000)}${']'.repeat(1000)}`, 'application/json');
    let depth = 0;
    for (let node = data; Array.isArray(node); node = node[0]) depth++;
    expect(depth).toBe(1000);
  });

  it('brackets inside strings do not count as nesting', async () => {
    const text = JSON.stringify({ s: '['.repeat(50_000), t: '{"\\"'.repeat(10_000) });
    expect((await parse(text, 'application/json')).data).toEqual(JSON.parse(text));
  });

  it('too deep without a content type is kept as text, not an error', async () => {
    const text = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect((await parse(text, undefined)).data).toBe(text);
  });

  it('urlencoded and multipart names nest at most 5 levels; deeper names stay verbatim keys', async () => {
    const name = `a${'[b]'.repeat(10_000)}`;
    const { data } = await parse(`${encodeURIComponent(name)}=1`, 'application/x-www-form-urlencoded');
    expect(data).toEqual({ [name]: '1' });
  });
});

describe('enormous arrays and keys', () => {
  it('keeps a 500,000-item array and a 2 MB key whole', async () => {
    const key = 'k'.repeat(2_000_000);
    const text = `{"items":[${'0,'.repeat(499_999)}0],"${key}":1}`;
    const { data } = (await parse(text, 'application/json')) as { data: Record<string, unknown> };
    expect((data.items as unknown[]).length).toBe(500_000);
    expect(data[key]).toBe(1);
  });

  it('1,000 form fields are fine and 1,001 are 413', async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `f${i}=${i}`).join('&');
    expect(Object.keys((await parse(fields(1000), 'application/x-www-form-urlencoded')).data as object)).toHaveLength(1000);
    expect(await refusal(parse(fields(1001), 'application/x-www-form-urlencoded'))).toMatchObject({ code: 'payload_too_large', status: 413 });
  });
});

describe('__proto__, constructor and prototype keys are plain data', () => {
  const expectDataKeys = (data: Record<string, unknown>) => {
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(Object.getOwnPropertyDescriptor(data, 'constructor')?.value).toEqual({ prototype: { polluted: 'yes' } });
    expect(data.prototype).toBe('p');
    expect(JSON.parse(JSON.stringify(data))).toEqual(JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":"p"}'));
  };

  it('in JSON, with and without a content type', async () => {
    const text = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":"p"}';
    expectDataKeys((await parse(text, 'application/json')).data as Record<string, unknown>);
    expectDataKeys((await parse(text, undefined)).data as Record<string, unknown>);
  });

  it('in urlencoded fields, bracketed or repeated', async () => {
    const text = '__proto__[polluted]=yes&constructor[prototype][polluted]=yes&prototype=p';
    expectDataKeys((await parse(text, 'application/x-www-form-urlencoded')).data as Record<string, unknown>);
    const repeated = (await parse('__proto__=a&__proto__=b&__proto__[]=c', 'application/x-www-form-urlencoded')).data as Record<string, unknown>;
    expect(Object.getPrototypeOf(repeated)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(repeated, '__proto__')?.value).toEqual(['a', 'b', 'c']);
  });

  it('in multipart fields and file field names', async () => {
    const form = new FormData();
    form.append('__proto__[polluted]', 'yes');
    form.append('constructor[prototype][polluted]', 'yes');
    form.append('prototype', 'p');
    form.append('__proto__', new Blob(['x']), '__proto__');
    const response = new Response(form);
    const parsed = await parse(Buffer.from(await response.arrayBuffer()), response.headers.get('content-type')!);
    expectDataKeys(parsed.data as Record<string, unknown>);
    expect(parsed.files).toEqual([{ field: '__proto__', name: '__proto__', type: 'application/octet-stream', size: 1, id: 'file-id' }]);
  });
});

describe('multipart parts without a name', () => {
  it('are kept under "" instead of failing the parser (found by the property below)', async () => {
    const body = [
      '--b\r\nContent-Disposition: form-data; name=""\r\n\r\nv1',
      '--b\r\nContent-Disposition: form-data\r\n\r\nv2',
      '--b\r\nContent-Disposition: form-data; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\nfile',
      '--b--\r\n',
    ].join('\r\n');
    const parsed = await parse(body, 'multipart/form-data; boundary=b');
    expect(parsed.data).toEqual({ '': ['v1', 'v2'] });
    expect(parsed.files).toEqual([{ field: '', name: 'f.txt', type: 'text/plain', size: 4, id: 'file-id' }]);
  });
});

describe('invalid UTF-8', () => {
  const bad = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80, 0xff]);

  it('inside a JSON string becomes U+FFFD, never a lone surrogate', async () => {
    const raw = Buffer.concat([Buffer.from('{"v":"'), bad, Buffer.from('"}')]);
    const { data, rawText } = (await parse(raw, 'application/json')) as { data: { v: string }; rawText: string };
    expect(data.v).toContain('\uFFFD');
    expect(data.v).not.toMatch(/[\uD800-\uDFFF]/);
    expect(rawText).toBe(raw.toString('utf8'));
  });

  it('outside a JSON string is malformed_body saying where', async () => {
    const err = await refusal(parse(Buffer.concat([Buffer.from('{"v":'), bad, Buffer.from('}')]), 'application/json'));
    expect(err.message).toMatch(/^invalid JSON at line 1 column 6: unexpected '\uFFFD'$/);
  });

  it('in text/plain and XML becomes U+FFFD', async () => {
    expect((await parse(Buffer.concat([Buffer.from('a'), bad]), 'text/plain')).data).toMatch(/^a[\uFFFD()]+$/);
    expect((await parse(Buffer.concat([Buffer.from('<a>'), bad, Buffer.from('</a>')]), 'application/xml')).data).toMatch(/^<a>[\uFFFD()]+<\/a>$/);
  });

  it('in urlencoded names and values becomes U+FFFD', async () => {
    const { data } = await parse('%FF%FE=%C3%28', 'application/x-www-form-urlencoded');
    expect(data).toEqual({ '\uFFFD\uFFFD': '\uFFFD(' });
  });

  it('without a content type is kept as bytes', async () => {
    expect((await parse(bad, undefined)).data).toEqual({ contentType: null, size: bad.length, base64: bad.toString('base64') });
  });
});

describe('wrong and nonsense content types', () => {
  it.each([
    ['garbage', '{"a":1}'],
    ['json', '{"a":1}'],
    ['application/', 'x'],
    ['/json', 'x'],
    [';;;', 'x'],
    ['text/plain; charset=no-such-charset', 'x'],
    ['application/json; charset=', '{"a":1}'],
    ['application/json; charset=utf-16le', Buffer.from('{"a":1}', 'utf16le')],
    ['multipart/form-data; boundary=', 'x'],
    ['multipart/form-data; boundary="unterminated', 'x'],
    ['\u0000/\u0000', 'x'],
  ] as const)('%j never throws anything but a HookflowError', async (type, body) => {
    const outcome = await parse(body, type).then(
      (parsed) => parsed,
      (err: unknown) => err,
    );
    if (outcome instanceof Error) {
      expect(outcome).toBeInstanceOf(HookflowError);
      expect((outcome as HookflowError).status).toBeLessThan(500);
    } else {
      expect(outcome).toHaveProperty('data');
    }
  });
});

// ---------------------------------------------------------------------------
// Properties. Bounded: a few hundred runs each, small inputs.
// ---------------------------------------------------------------------------

const contentTypes = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/vnd.api+json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=b',
    'multipart/form-data',
    'text/plain; charset=latin1',
    'text/plain; charset=utf-16le',
    'application/xml',
    'application/octet-stream',
    'garbage',
  ),
  fc.string({ maxLength: 60, unit: 'binary' }),
  fc.tuple(fc.constantFrom('application/json', 'multipart/form-data', 'text/plain'), fc.string({ maxLength: 40 })).map(([t, p]) => `${t};${p}`),
);

/** Bytes that are sometimes near-valid for their type, so the parsers get past their first check. */
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)),
  fc.json({ maxDepth: 4 }).chain((t) => fc.nat({ max: t.length }).map((cut) => Buffer.from(t.slice(0, cut)))),
  fc.string({ maxLength: 200, unit: 'binary' }).map((s) => Buffer.from(s)),
  fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })), { maxLength: 6 }).map((parts) =>
    Buffer.from(`--b\r\n${parts.map(([n, v]) => `Content-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n--b`).join('\r\n')}--\r\n`),
  ),
);

const jsonValues = fc.jsonValue({ maxDepth: 5 });

describe('parseBody, for any input (fast-check)', () => {
  it('arbitrary bytes and content types either parse or fail with a HookflowError below 500', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, contentTypes, async (raw, contentType) => {
        try {
          const parsed = await parseBody({ raw, contentType, saveFile });
          expect(typeof parsed.rawText).toBe('string');
          expect(Array.isArray(parsed.files)).toBe(true);
          JSON.stringify(parsed.data);
        } catch (err) {
          expect(err).toBeInstanceOf(HookflowError);
          expect((err as HookflowError).status).toBeGreaterThanOrEqual(400);
          expect((err as HookflowError).status).toBeLessThan(500);
          expect(['malformed_body', 'payload_too_large']).toContain((err as HookflowError).code);
        }
        expectNoPollution();
      }),
      { numRuns: 500 },
    );
  });

  it('JSON round-trips: any JSON value, serialized, parses back equal (and -0 stays a number)', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValues, fc.constantFrom('application/json', 'application/cloudevents+json', undefined), fc.boolean(), async (value, contentType, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const { data, rawText } = await parseBody({ raw: Buffer.from(text), contentType, saveFile });
        expect(rawText).toBe(text);
        // Without a content type only objects and arrays are sniffed as JSON; the rest is text.
        if (contentType === undefined && (typeof value !== 'object' || value === null)) expect(data).toBe(text);
        else expect(data).toStrictEqual(JSON.parse(text));
        expectNoPollution();
      }),
      { numRuns: 400 },
    );
  });

  it('malformed JSON is always 400 malformed_body with a line and column inside the text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json({ maxDepth: 4 }), fc.nat(), fc.constantFrom('}', ']', ',', ':', '"', 'x', '\u0001', '{', '['), async (text, at, junk) => {
        const i = at % (text.length + 1);
        const broken = `${text.slice(0, i)}${junk}${text.slice(i)}`;
        let valid = true;
        try {
          JSON.parse(broken);
        } catch {
          valid = false;
        }
        fc.pre(!valid);
        const err = await refusal(parseBody({ raw: Buffer.from(broken), contentType: 'application/json', saveFile }));
        expect(err.code).toBe('malformed_body');
        const { line, column, offset } = err.details as { line: number; column: number; offset: number };
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThanOrEqual(broken.length);
        expect(line).toBeGreaterThanOrEqual(1);
        expect(column).toBeGreaterThanOrEqual(1);
        expect(err.message).toContain(`line ${line} column ${column}`);
      }),
      { numRuns: 400 },
    );
  });

  it('urlencoded round-trips: any map of plain names to values comes back equal', async () => {
    // Plain names: no brackets (those nest by design); any other character, `__proto__` included.
    const text = (maxLength: number) => fc.string({ maxLength, unit: 'grapheme' });
    const name = fc.oneof(text(16), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty')).filter((n) => n !== '' && !/[[\]]/.test(n));
    const fields = fc.dictionary(name, fc.oneof(text(24), fc.array(text(8), { minLength: 2, maxLength: 4 })), { maxKeys: 12, noNullPrototype: true });
    await fc.assert(
      fc.asyncProperty(fields, async (map) => {
        const params = new URLSearchParams();
        for (const [key, value] of Object.entries(map)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
        const { data } = await parseBody({ raw: Buffer.from(params.toString()), contentType: 'application/x-www-form-urlencoded', saveFile });
        expect(Object.keys(data as object).sort()).toEqual(Object.keys(map).sort());
        for (const key of Object.keys(map)) expect(Object.getOwnPropertyDescriptor(data, key)?.value).toEqual(map[key]);
        expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
        expectNoPollution();
      }),
      { numRuns: 400 },
    );
  });
});
