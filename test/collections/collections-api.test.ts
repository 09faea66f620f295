import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('collections API on %s', (kind) => {
  let s: TestServer;
  let n = 0;
  /** A fresh collection name per test: the server is shared. */
  const fresh = () => `c${++n}`;
  beforeAll(async () => {
    s = await startTestServer(kind);
  });
  afterAll(async () => {
    await s.stop();
  });

  const columns = async (name: string) => {
    const { db } = s.hookflow.store;
    const rows = kind === 'sqlite'
      ? (await sql<{ name: string; notnull: number }>`select name, "notnull" from pragma_table_info(${`rec_${name}`})`.execute(db)).rows
      : (await sql<{ name: string; notnull: boolean }>`select column_name as name, is_nullable = 'NO' as notnull from information_schema.columns where table_schema = current_schema() and table_name = ${`rec_${name}`}`.execute(db)).rows;
    return Object.fromEntries(rows.map((r) => [r.name, Boolean(r.notnull)]));
  };

  it('creates a real table, lists, gets and deletes it', async () => {
    const name = fresh();
    const created = await s.api('POST', '/api/collections', { name, fields: [{ name: 'email', type: 'string', required: true, unique: true }, { name: 'age', type: 'integer' }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      fields: [{ name: 'email', type: 'string', required: true, unique: true }, { name: 'age', type: 'integer', required: false, unique: false }],
      createdAt: expect.any(String),
    });
    expect(await columns(name)).toEqual({ id: true, email: true, age: false, created_at: true, updated_at: true });
    expect((await s.api('GET', `/api/collections/${name}`)).body).toEqual(created.body);
    const list = await s.api('GET', '/api/collections');
    expect(list.body.items.map((c: { name: string }) => c.name)).toContain(name);

    expect((await s.api('DELETE', `/api/collections/${name}`)).status).toBe(204);
    expect(await columns(name)).toEqual({});
    expect((await s.api('GET', `/api/collections/${name}`)).status).toBe(404);
    expect((await s.api('DELETE', `/api/collections/${name}`)).status).toBe(404);
    // The name is free again, with another shape.
    expect((await s.api('POST', '/api/collections', { name, fields: [{ name: 'email', type: 'text' }] })).status).toBe(201);
  });

  it('accepts every field type', async () => {
    const types = ['string', 'text', 'integer', 'number', 'boolean', 'datetime', 'json'];
    const res = await s.api('POST', '/api/collections', { name: fresh(), fields: types.map((type) => ({ name: `f_${type}`, type })) });
    expect(res.status).toBe(201);
    expect(res.body.fields.map((f: { type: string }) => f.type)).toEqual(types);
  });

  it('refuses a taken name with 409', async () => {
    const name = fresh();
    await s.api('POST', '/api/collections', { name, fields: [] });
    const again = await s.api('POST', '/api/collections', { name, fields: [] });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', message: `collection "${name}" already exists` });
  });

  it.each([
    ['Customers', 'name'],
    ['1st', 'name'],
    ['a__b', 'name'],
    ['order', 'name'],
    ['x'.repeat(29), 'name'],
    ['', 'name'],
  ])('refuses the collection name %j', async (name, path) => {
    const res = await s.api('POST', '/api/collections', { name, fields: [] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe(path);
  });

  it('lists every problem of the fields with its path', async () => {
    const res = await s.api('POST', '/api/collections', {
      name: fresh(),
      fields: [
        { name: 'id', type: 'string' },
        { name: 'createdAt', type: 'datetime' },
        { name: 'select', type: 'string' },
        { name: 'a b', type: 'string' },
        { name: 'ok', type: 'bool' },
        { name: 'meta', type: 'json', unique: true },
        { name: 'Email', type: 'string' },
        { name: 'email', type: 'string', required: 'yes' },
        { name: 'x', type: 'string', colour: 'red' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.details.map((p: { path: string }) => p.path)).toEqual([
      'fields[0].name', 'fields[1].name', 'fields[2].name', 'fields[3].name', 'fields[4].type', 'fields[5].unique',
      'fields[7].required', 'fields[7].name', 'fields[8].colour',
    ]);
    expect(res.body.error.details[7].message).toMatch(/already the name of fields\[6\]/);
  });

  it('refuses unknown top-level keys and non-objects', async () => {
    expect((await s.api('POST', '/api/collections', { name: fresh(), fields: [], table: 'x' })).status).toBe(400);
    expect((await s.api('POST', '/api/collections', [])).status).toBe(400);
    expect((await s.api('POST', '/api/collections', { name: fresh(), fields: {} })).status).toBe(400);
  });

  it('answers 404 for an unknown collection everywhere', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/collections/nope'], ['PUT', '/api/collections/nope', { fields: [] }], ['DELETE', '/api/collections/nope'],
      ['GET', '/api/collections/nope/records'], ['POST', '/api/collections/nope/records', {}],
    ] as const) {
      const res = await s.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.message).toBe('no collection "nope"');
    }
  });

  it('needs the admin token', async () => {
    expect((await s.call('GET', '/api/collections')).status).toBe(401);
    expect((await s.call('POST', '/api/collections', { body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
  });

  describe('changing the fields migrates the table', () => {
    const put = (name: string, fields: unknown[]) => s.api('PUT', `/api/collections/${name}`, { fields });
    const create = (name: string, values: unknown) => s.api('POST', `/api/collections/${name}/records`, values);
    const all = async (name: string) => (await s.api('GET', `/api/collections/${name}/records`)).body.items;

    it('adds and drops columns, keeping the other values', async () => {
      const name = fresh();
      await s.api('POST', '/api/collections', { name, fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'integer', unique: true }] });
      const { body: rec } = await create(name, { a: 'x', b: 1 });
      // Listed before and after: SQLite statements prepared on the old table must not serve the new one.
      expect(await all(name)).toEqual([rec]);
      const res = await put(name, [{ name: 'a', type: 'string' }, { name: 'c', type: 'boolean' }]);
      expect(res.status).toBe(200);
      expect(res.body.fields.map((f: { name: string }) => f.name)).toEqual(['a', 'c']);
      expect(await columns(name)).toEqual({ id: true, a: false, c: false, created_at: true, updated_at: true });
      const { b: _dropped, ...kept } = rec;
      expect(await all(name)).toEqual([{ ...kept, c: null }]);
      // The dropped field is gone from the API too.
      expect((await create(name, { b: 2 })).status).toBe(400);
    });

    it('makes a field required only when every record has a value', async () => {
      const name = fresh();
      await s.api('POST', '/api/collections', { name, fields: [{ name: 'a', type: 'string' }] });
      const { body: rec } = await create(name, {});
      const refused = await put(name, [{ name: 'a', type: 'string', required: true }]);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/cannot make "a" required: 1 record\(s\) have no value/);
      await s.api('PATCH', `/api/collections/${name}/records/${rec.id}`, { a: 'filled' });
      expect((await put(name, [{ name: 'a', type: 'string', required: true }])).status).toBe(200);
      expect((await columns(name)).a).toBe(true);
      expect((await create(name, {})).body.error.details).toEqual([{ path: 'a', message: 'is required' }]);
      // …and optional again.
      expect((await put(name, [{ name: 'a', type: 'string' }])).status).toBe(200);
      expect((await columns(name)).a).toBe(false);
      expect((await create(name, {})).status).toBe(201);
    });

    it('adds a required field only while the collection is empty', async () => {
      const name = fresh();
      await s.api('POST', '/api/collections', { name, fields: [] });
      expect((await put(name, [{ name: 'a', type: 'integer', required: true }])).status).toBe(200);
      await create(name, { a: 1 });
      const refused = await put(name, [{ name: 'a', type: 'integer', required: true }, { name: 'b', type: 'text', required: true }]);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/cannot add required field "b"/);
      // Refused changes leave the table as it was.
      expect(await columns(name)).toEqual({ id: true, a: true, created_at: true, updated_at: true });
    });

    it('makes a field unique only when its values are distinct, then enforces it', async () => {
      const name = fresh();
      await s.api('POST', '/api/collections', { name, fields: [{ name: 'code', type: 'string' }] });
      const { body: first } = await create(name, { code: 'A' });
      const { body: second } = await create(name, { code: 'A' });
      const refused = await put(name, [{ name: 'code', type: 'string', unique: true }]);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/cannot make "code" unique/);
      await s.api('PATCH', `/api/collections/${name}/records/${second.id}`, { code: 'B' });
      expect((await put(name, [{ name: 'code', type: 'string', unique: true }])).status).toBe(200);
      expect((await create(name, { code: 'A' })).status).toBe(409);
      expect((await put(name, [{ name: 'code', type: 'string' }])).status).toBe(200);
      expect((await create(name, { code: 'A' })).status).toBe(201);
      expect((await all(name)).map((r: { id: string }) => r.id).slice(0, 2)).toEqual([first.id, second.id]);
    });

    it('widens string to text but refuses other type changes', async () => {
      const name = fresh();
      await s.api('POST', '/api/collections', { name, fields: [{ name: 'a', type: 'string' }, { name: 'n', type: 'integer' }] });
      await create(name, { a: 'x', n: 1 });
      const widened = await put(name, [{ name: 'a', type: 'text' }, { name: 'n', type: 'integer' }]);
      expect(widened.status).toBe(200);
      expect((await create(name, { a: 'y'.repeat(1000) })).status).toBe(201);
      for (const [from, to] of [['text', 'string'], ['integer', 'string'], ['integer', 'number']]) {
        const fields = [{ name: 'a', type: from === 'text' ? to : 'text' }, { name: 'n', type: from === 'integer' ? to : 'integer' }];
        const res = await put(name, fields);
        expect(res.status, `${from} → ${to}`).toBe(409);
        expect(res.body.error.message).toMatch(new RegExp(`cannot change the type of "(a|n)" from ${from} to ${to}`));
      }
    });

    it('refuses a rename and a bad field list', async () => {
      const name = fresh();
      await s.api('POST', '/api/collections', { name, fields: [] });
      expect((await s.api('PUT', `/api/collections/${name}`, { name: 'other', fields: [] })).status).toBe(400);
      expect((await s.api('PUT', `/api/collections/${name}`, { name, fields: [{ name: 'a', type: 'string' }] })).status).toBe(200);
      expect((await s.api('PUT', `/api/collections/${name}`, {})).status).toBe(400);
      expect((await put(name, [{ name: 'b', type: 'nope' }])).body.error.details).toEqual([{ path: 'fields[0].type', message: expect.stringMatching(/^must be one of/) }]);
    });

    it('keeps records and unique indexes through a rebuild', async () => {
      const name = fresh();
      await s.api('POST', '/api/collections', { name, fields: [{ name: 'email', type: 'string', unique: true }, { name: 'n', type: 'integer' }] });
      const { body: rec } = await create(name, { email: 'a@x.example', n: 5 });
      // Making n required rebuilds the SQLite table; email must stay unique.
      expect((await put(name, [{ name: 'email', type: 'string', unique: true }, { name: 'n', type: 'integer', required: true }])).status).toBe(200);
      expect(await all(name)).toEqual([rec]);
      const dup = await create(name, { email: 'a@x.example', n: 6 });
      expect(dup.status).toBe(409);
      expect(dup.body.error.message).toMatch(/value of "email" already exists/);
    });
  });
});
