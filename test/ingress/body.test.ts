import { describe, expect, it } from 'vitest';
import { parseBody, type SaveFile, type UploadedFile } from '../../src/ingress/body.js';
import { locateJsonError } from '../../src/ingress/json-error.js';
import { HookflowError } from '../../src/shared/errors.js';

function recorder(): { saveFile: SaveFile; saved: UploadedFile[] } {
  const saved: UploadedFile[] = [];
  return {
    saved,
    saveFile: async (file) => {
      saved.push(file);
      return `file-${saved.length}`;
    },
  };
}

async function parse(raw: string | Buffer, contentType: string | undefined, limits?: { fields?: number; files?: number }) {
  const { saveFile } = recorder();
  return parseBody({ raw: typeof raw === 'string' ? Buffer.from(raw) : raw, contentType, saveFile, limits });
}

async function rejection(promise: Promise<unknown>): Promise<HookflowError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HookflowError);
  return err as HookflowError;
}

/** Real multipart bytes and boundary, as a browser or undici would send them. */
async function multipart(form: FormData): Promise<{ raw: Buffer; contentType: string }> {
  const response = new Response(form);
  return { raw: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') as string };
}

describe('empty bodies', () => {
  it.each(['application/json', 'multipart/form-data; boundary=x', 'text/plain', 'image/png', undefined])(
    'are {} whatever the type (%s)',
    async (type) => {
      expect(await parse('', type)).toEqual({ data: {}, files: [], rawText: '' });
    },
  );
});

describe('JSON', () => {
  it('parses application/json and keeps the text', async () => {
    const text = '{"action":"opened","number":7,"labels":["a"]}';
    expect(await parse(text, 'application/json')).toEqual({
      data: { action: 'opened', number: 7, labels: ['a'] },
      files: [],
      rawText: text,
    });
  });

  it('parses any +json type, whatever the case of the header', async () => {
    expect((await parse('[1,2]', 'application/vnd.github+json')).data).toEqual([1, 2]);
    expect((await parse('{"a":1}', 'application/cloudevents+json; charset=utf-8')).data).toEqual({ a: 1 });
    expect((await parse('{"a":1}', 'Application/JSON; Charset=UTF-8')).data).toEqual({ a: 1 });
  });

  it('keeps top-level scalars', async () => {
    expect((await parse('"hi"', 'application/json')).data).toBe('hi');
    expect((await parse('null', 'application/json')).data).toBeNull();
  });

  it('treats a whitespace-only body as no body', async () => {
    expect((await parse(' \r\n', 'application/json')).data).toEqual({});
  });

  it('drops a UTF-8 byte order mark before parsing but keeps it in rawText', async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"é"}')]);
    const body = await parse(raw, 'application/json');
    expect(body.data).toEqual({ a: 'é' });
    expect(body.rawText).toBe('\ufeff{"a":"é"}');
  });

  it('honours a declared charset', async () => {
    const raw = Buffer.from('{"name":"caf\xe9"}', 'latin1');
    expect((await parse(raw, 'application/json; charset=iso-8859-1')).data).toEqual({ name: 'café' });
  });

  it('says what is wrong and where: line and column', async () => {
    const err = await rejection(parse('{\n  "a": 1,\n  "b": }\n', 'application/json'));
    expect(err.code).toBe('malformed_body');
    expect(err.status).toBe(400);
    expect(err.message).toBe("invalid JSON at line 3 column 8: unexpected '}'");
    expect(err.details).toEqual({ line: 3, column: 8, offset: 19 });
  });

  it.each([
    ['{"a": 1', "invalid JSON at line 1 column 8: unexpected end of input"],
    ['[1, 2,]', "invalid JSON at line 1 column 7: unexpected ']'"],
    ['{"a": 1,}', `invalid JSON at line 1 column 9: expected '"' to start a property name, found '}'`],
    ['{"a" 1}', "invalid JSON at line 1 column 6: expected ':' after the property name, found '1'"],
    ['{"a": 1 "b": 2}', "invalid JSON at line 1 column 9: expected ',' or '}' after property value, found '\"'"],
    ['{"a": "x', 'invalid JSON at line 1 column 9: unterminated string'],
    ['{"a": "x\ny"}', 'invalid JSON at line 1 column 9: unescaped control character U+000A in string'],
    ["{'a': 1}", "invalid JSON at line 1 column 2: expected '\"' to start a property name, found '''"],
    ['{"a": 01}', 'invalid JSON at line 1 column 7: bad number'],
    ['{"a": tru}', "invalid JSON at line 1 column 7: unexpected 't'"],
    ['{} {}', "invalid JSON at line 1 column 4: unexpected '{' after the end of the JSON value"],
  ])('reports %j as %j', async (text, message) => {
    expect((await rejection(parse(text, 'application/json'))).message).toBe(message);
  });

  it('makes __proto__ a plain own property and pollutes nothing', async () => {
    const { data } = await parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}', 'application/json');
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.hasOwn(data as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('the JSON error locator', () => {
  it.each([
    '{}', '[]', '0', '-0.5e+10', '"a\\u00e9\\n"', 'true', ' null ', '{"a":[1,{"b":false}],"c":"d"}',
    '[[[[[[]]]]]]', '{"": ""}', '1E5', '"\\/"',
  ])('agrees with JSON.parse that %j is valid', (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(locateJsonError(text)).toBeUndefined();
  });

  it.each([
    '', '{', '[', ']', '{"a"}', '{"a":}', '[1 2]', '01', '1.', '.5', '-', '+1', '1e', '"\\x"', '"\\u12"', 'nul', 'True',
    '{"a":1,,"b":2}', '[,1]', 'NaN', '"\t"', '[1]]',
  ])('agrees with JSON.parse that %j is invalid', (text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toBeDefined();
  });

  it('copes with deep nesting without recursion', () => {
    const deep = '['.repeat(200_000);
    expect(locateJsonError(deep)?.reason).toBe('unexpected end of input');
  });
});

describe('urlencoded forms', () => {
  const form = 'application/x-www-form-urlencoded';

  it('decodes names and values, + as space', async () => {
    const body = await parse('name=Ada+Lovelace&email=ada%40example.com&empty=', form);
    expect(body.data).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', empty: '' });
    expect(body.rawText).toBe('name=Ada+Lovelace&email=ada%40example.com&empty=');
  });

  it('collects repeated names into arrays and a[] always into an array', async () => {
    expect((await parse('a=1&a=2&b[]=x&c[]=1&c[]=2', form)).data).toEqual({ a: ['1', '2'], b: ['x'], c: ['1', '2'] });
  });

  it('nests bracketed names', async () => {
    expect((await parse('user[name]=Ada&user[tags][]=x&user[tags][]=y&user[address][city]=London', form)).data).toEqual({
      user: { name: 'Ada', tags: ['x', 'y'], address: { city: 'London' } },
    });
  });

  it('keeps names that do not fit verbatim instead of losing them', async () => {
    expect((await parse('a=1&a[b]=2&c[=3&d[][e]=4&f[x]=5&f=6', form)).data).toEqual({
      a: '1',
      'a[b]': '2',
      'c[': '3',
      'd[][e]': '4',
      f: [{ x: '5' }, '6'],
    });
    const deep = 'a[1][2][3][4][5][6]=x';
    expect((await parse(deep, form)).data).toEqual({ [deep.slice(0, -2)]: 'x' });
  });

  it('makes __proto__ plain data', async () => {
    const { data } = await parse('__proto__[polluted]=1&a[__proto__][b]=2&constructor=3', form);
    expect(data).toEqual(JSON.parse('{"__proto__":{"polluted":"1"},"a":{"__proto__":{"b":"2"}},"constructor":"3"}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });

  it('answers 413 past the field limit', async () => {
    expect((await parse('a=1&b=2', form, { fields: 2 })).data).toEqual({ a: '1', b: '2' });
    const err = await rejection(parse('a=1&b=2&c=3', form, { fields: 2 }));
    expect(err.code).toBe('payload_too_large');
    expect(err.message).toBe('the body has more than 2 form fields');
  });
});

describe('multipart forms', () => {
  it('puts fields in data and files through saveFile', async () => {
    const form = new FormData();
    form.append('title', 'Report');
    form.append('tag', 'a');
    form.append('tag', 'b');
    form.append('meta[owner]', 'ada');
    form.append('upload', new Blob(['hello, file'], { type: 'text/plain' }), 'résumé.txt');
    form.append('image', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])], { type: 'image/png' }), 'dot.png');
    const { raw, contentType } = await multipart(form);
    const { saveFile, saved } = recorder();

    const body = await parseBody({ raw, contentType, saveFile });

    expect(body.data).toEqual({ title: 'Report', tag: ['a', 'b'], meta: { owner: 'ada' } });
    expect(body.files).toEqual([
      { field: 'upload', name: 'résumé.txt', type: 'text/plain', size: 11, id: 'file-1' },
      { field: 'image', name: 'dot.png', type: 'image/png', size: 6, id: 'file-2' },
    ]);
    expect(saved.map((f) => f.data)).toEqual([Buffer.from('hello, file'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])]);
    expect(body.rawText).toBe(raw.toString('utf8'));
  });

  it('rejects a truncated body and saves nothing', async () => {
    const form = new FormData();
    form.append('title', 'x');
    form.append('upload', new Blob(['a'.repeat(1000)]), 'a.bin');
    const { raw, contentType } = await multipart(form);
    const { saveFile, saved } = recorder();

    const err = await rejection(parseBody({ raw: raw.subarray(0, raw.length - 600), contentType, saveFile }));

    expect(err.code).toBe('malformed_body');
    expect(err.message).toMatch(/^invalid multipart\/form-data body: unexpected end of (form|file)$/);
    expect(saved).toEqual([]);
  });

  it('rejects a body cut before its closing boundary', async () => {
    const form = new FormData();
    form.append('title', 'x');
    const { raw, contentType } = await multipart(form);
    const err = await rejection(parse(raw.subarray(0, raw.length - 10), contentType));
    expect(err.message).toBe('invalid multipart/form-data body: unexpected end of form');
  });

  it('rejects a Content-Type without a boundary', async () => {
    const err = await rejection(parse('--x\r\n', 'multipart/form-data'));
    expect(err.code).toBe('malformed_body');
    expect(err.message).toBe('invalid multipart/form-data body: the Content-Type has no boundary parameter');
  });

  it('rejects bytes that are not multipart at all', async () => {
    const err = await rejection(parse('{"a": 1}', 'multipart/form-data; boundary=abc'));
    expect(err.code).toBe('malformed_body');
  });

  it('answers 413 past the file or field limit', async () => {
    const form = new FormData();
    form.append('a', new Blob(['1']), 'a.txt');
    form.append('b', new Blob(['2']), 'b.txt');
    form.append('c', 'x');
    form.append('d', 'y');
    const { raw, contentType } = await multipart(form);
    const { saveFile } = recorder();

    const files = await rejection(parseBody({ raw, contentType, saveFile, limits: { files: 1 } }));
    expect(files.code).toBe('payload_too_large');
    expect(files.message).toBe('the body has more than 1 files');
    const fields = await rejection(parseBody({ raw, contentType, saveFile, limits: { fields: 1 } }));
    expect(fields.message).toBe('the body has more than 1 form fields');
    expect((await parseBody({ raw, contentType, saveFile, limits: { files: 2, fields: 2 } })).files).toHaveLength(2);
  });

  it('makes __proto__ fields plain data', async () => {
    const form = new FormData();
    form.append('__proto__[polluted]', 'yes');
    const { raw, contentType } = await multipart(form);
    const { data } = await parse(raw, contentType);
    expect(Object.hasOwn(data as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('text', () => {
  it('gives the string for text/*, XML and +xml', async () => {
    expect((await parse('hello', 'text/plain')).data).toBe('hello');
    expect((await parse('a,b\n1,2', 'text/csv')).data).toBe('a,b\n1,2');
    expect((await parse('<xml><a>1</a></xml>', 'application/xml')).data).toBe('<xml><a>1</a></xml>');
    expect((await parse('<feed/>', 'application/atom+xml')).data).toBe('<feed/>');
  });

  it('decodes with the declared charset; rawText stays UTF-8', async () => {
    const latin = await parse(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'text/plain; charset="ISO-8859-1"');
    expect(latin.data).toBe('café');
    expect(latin.rawText).toBe('caf\ufffd');
    const sjis = await parse(Buffer.from([0x93, 0xfa, 0x96, 0x7b]), 'text/plain; charset=shift_jis');
    expect(sjis.data).toBe('日本');
    const gbk = await parse(Buffer.from([0xd6, 0xd0, 0xce, 0xc4]), 'text/plain;charset=GBK');
    expect(gbk.data).toBe('中文');
  });

  it('falls back to UTF-8 for an unknown charset', async () => {
    expect((await parse('naïve', 'text/plain; charset=klingon')).data).toBe('naïve');
  });
});

describe('other types', () => {
  it('keeps the bytes as base64', async () => {
    const raw = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]);
    expect((await parse(raw, 'image/png')).data).toEqual({ contentType: 'image/png', size: 6, base64: 'iVBORw0K' });
    expect((await parse('x', 'multipart/mixed; boundary=a')).data).toEqual({
      contentType: 'multipart/mixed; boundary=a',
      size: 1,
      base64: 'eA==',
    });
  });
});

describe('no Content-Type', () => {
  it('parses what looks like JSON', async () => {
    expect((await parse(' {"temp": 21.5}', undefined)).data).toEqual({ temp: 21.5 });
    expect((await parse('[1]', 'nonsense')).data).toEqual([1]);
  });

  it('keeps UTF-8 text, including JSON-looking text that does not parse', async () => {
    expect((await parse('temp=21.5', undefined)).data).toBe('temp=21.5');
    expect((await parse('{not json', undefined)).data).toBe('{not json');
  });

  it('keeps bytes that are not UTF-8 as base64', async () => {
    expect((await parse(Buffer.from([0xff, 0xfe, 0x00]), undefined)).data).toEqual({ contentType: null, size: 3, base64: '//4A' });
  });
});
