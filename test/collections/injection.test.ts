/**
 * Collection and field names become SQL identifiers, filters and sort orders
 * become SQL: attempts to smuggle SQL through any of them must fail cleanly
 * (a 400 or 404, or data treated as data) and leave every table intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const EVIL = [
  'x; drop table workflows; --',
  'x"; drop table collections; --',
  "x'); drop table workflows; --",
  'rec_x" (id text); --',
  'x y',
  'x-y',
  'ä',
  'x\u0000',
  'x/*',
  '__proto__',
];

/** Harmless as table names, but not as the property names records become. */
const FIELD_ONLY = ['constructor', 'prototype', 'toString'];

describe.each(storeKinds)('SQL injection attempts on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
    await s.createWorkflow({ title: 'canary', trigger: { type: 'webhook' }, nodes: [] });
    await s.api('POST', '/api/collections', { name: 'people', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'integer' }] });
    await s.api('POST', '/api/collections/people/records', { name: 'Ann', age: 30 });
    await s.api('POST', '/api/collections/people/records', { name: 'Bob', age: 40 });
  });
  afterAll(async () => {
    // Everything is still there.
    expect((await s.api('GET', '/api/workflows')).body.items).toHaveLength(1);
    expect((await s.api('GET', '/api/collections')).body.items.map((c: { name: string }) => c.name)).toEqual(['people']);
    expect((await s.api('GET', '/api/collections/people/records')).body.items).toHaveLength(2);
    await s.stop();
  });

  it.each(EVIL)('refuses the collection name %j', async (name) => {
    const res = await s.api('POST', '/api/collections', { name, fields: [] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('name');
  });

  it.each([...EVIL, ...FIELD_ONLY])('refuses the field name %j', async (name) => {
    const res = await s.api('POST', '/api/collections', { name: 'safe', fields: [{ name, type: 'string' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('fields[0].name');
    const put = await s.api('PUT', '/api/collections/people', { fields: [{ name, type: 'string' }] });
    expect(put.status).toBe(400);
  });

  it.each(EVIL)('answers 404 for the collection %j in a path', async (name) => {
    const path = `/api/collections/${encodeURIComponent(name)}`;
    for (const [method, url, body] of [['GET', path], ['DELETE', path], ['GET', `${path}/records`], ['POST', `${path}/records`, {}], ['PUT', path, { fields: [] }]] as const) {
      expect([400, 404], `${method} ${url}`).toContain((await s.api(method, url, body)).status);
    }
  });

  it.each(EVIL)('refuses the filter field %j', async (field) => {
    const filter = encodeURIComponent(JSON.stringify({ [field]: 1 }));
    const res = await s.api('GET', `/api/collections/people/records?filter=${filter}`);
    expect(res.status).toBe(400);
  });

  it.each(EVIL)('refuses the record field %j', async (field) => {
    const res = await s.api('POST', '/api/collections/people/records', `{${JSON.stringify(field)}: 1}`);
    expect(res.status).toBe(400);
  });

  it.each(['$eq) or (1=1', '$gt; drop table workflows', '$in --'])('refuses the operator %j', async (op) => {
    const filter = encodeURIComponent(JSON.stringify({ age: { [op]: 1 } }));
    expect((await s.api('GET', `/api/collections/people/records?filter=${filter}`)).status).toBe(400);
  });

  it.each(["' or '1'='1", '1 or 1=1', "Ann'; drop table rec_people; --", '%', '_nn'])('treats the value %j as data', async (value) => {
    for (const filter of [{ name: value }, { name: { $contains: value } }, { name: { $in: [value] } }, { name: { $gt: value }, age: { $lt: 0 } }]) {
      const res = await s.api('GET', `/api/collections/people/records?filter=${encodeURIComponent(JSON.stringify(filter))}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
    }
  });

  it.each(['name; drop table workflows', 'name desc', '(select 1)', 'name--', 'name,age"', '-"name"'])('refuses sort=%j', async (sort) => {
    const res = await s.api('GET', `/api/collections/people/records?sort=${encodeURIComponent(sort)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('sort');
  });

  it('takes a cursor\'s values as data', async () => {
    const cursor = Buffer.from(JSON.stringify({ s: 'name,id', v: ["' or 1=1 --", "x'); drop table workflows; --"] })).toString('base64url');
    const res = await s.api('GET', `/api/collections/people/records?sort=name&cursor=${cursor}`);
    expect(res.status).toBe(200);
    // Both names sort after a quote mark in byte order.
    expect(res.body.items.map((r: { name: string }) => r.name)).toEqual(['Ann', 'Bob']);
  });

  it('refuses prototype tricks in values', async () => {
    // Fastify's JSON parser refuses a "__proto__" key outright.
    const res = await s.api('POST', '/api/collections/people/records', '{"name":"Eve","__proto__":{"admin":true}}');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('refuses NUL characters, which PostgreSQL text cannot hold, on both stores', async () => {
    const created = await s.api('POST', '/api/collections/people/records', { name: 'a\u0000b' });
    expect(created.body.error.details).toEqual([{ path: 'name', message: 'must not contain the NUL character (\\u0000)' }]);
    const filter = encodeURIComponent(JSON.stringify({ name: { $contains: '\u0000' } }));
    expect((await s.api('GET', `/api/collections/people/records?filter=${filter}`)).status).toBe(400);
    expect((await s.api('GET', '/api/collections/people/records/x%00')).status).toBe(404);
    expect((await s.api('PATCH', '/api/collections/people/records/x%00', { age: 1 })).status).toBe(404);
    expect((await s.api('DELETE', '/api/collections/people/records/x%00')).status).toBe(404);
  });
});
