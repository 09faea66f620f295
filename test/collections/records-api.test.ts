import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { FIELDS } from './fixture-fields.js';

type Rec = Record<string, any>;


describe.each(storeKinds)('records API on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
    expect((await s.api('POST', '/api/collections', { name: 'things', fields: FIELDS })).status).toBe(201);
  });
  afterAll(async () => {
    await s.stop();
  });

  describe('create, get, update, delete', () => {
    const base = '/api/collections/things/records';

    it('round-trips every type identically', async () => {
      const values = {
        name: 's'.repeat(255),
        qty: Number.MAX_SAFE_INTEGER,
        price: 0.1 + 0.2,
        active: false,
        due: '2025-06-30T23:30:00.5-02:00',
        note: 'long text 🚀 ünïcödé\nwith lines',
        sku: 'S-1',
        tags: { z: 1, a: { y: [1, 'x', null, true, 2.5] }, empty: {} },
      };
      const created = await s.api('POST', base, values);
      expect(created.status).toBe(201);
      const expected = { ...values, due: '2025-07-01T01:30:00.500Z', id: expect.any(String), createdAt: expect.any(String), updatedAt: created.body.createdAt };
      expect(created.body).toEqual(expected);
      expect(Object.keys(created.body.tags)).toEqual(['z', 'a', 'empty']);
      const got = await s.api('GET', `${base}/${created.body.id}`);
      expect(got.body).toEqual(created.body);
      expect(JSON.stringify(got.body.tags)).toBe(JSON.stringify(values.tags));
      expect((await s.api('GET', `${base}?filter=${encodeURIComponent('{"active":false,"sku":"S-1"}')}`)).body.items).toEqual([created.body]);
    });

    it('stores what is not given as null, and json null as null', async () => {
      const res = await s.api('POST', base, { name: 'minimal', tags: null });
      expect(res.body).toMatchObject({ name: 'minimal', qty: null, price: null, active: null, due: null, note: null, sku: null, tags: null });
    });

    it('updates only the given fields', async () => {
      const { body: rec } = await s.api('POST', base, { name: 'p', qty: 1, note: 'keep' });
      const res = await s.api('PATCH', `${base}/${rec.id}`, { qty: 2, active: true, note: null });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...rec, qty: 2, active: true, note: null, updatedAt: expect.any(String) });
      expect(res.body.updatedAt >= rec.updatedAt).toBe(true);
      expect((await s.api('PATCH', `${base}/${rec.id}`, {})).body).toEqual(res.body);
      expect((await s.api('GET', `${base}/${rec.id}`)).body).toEqual(res.body);
    });

    it('deletes', async () => {
      const { body: rec } = await s.api('POST', base, { name: 'gone' });
      expect((await s.api('DELETE', `${base}/${rec.id}`)).status).toBe(204);
      for (const [method, body] of [['GET'], ['PATCH', { qty: 1 }], ['DELETE']] as const) {
        const res = await s.api(method, `${base}/${rec.id}`, body);
        expect(res.status).toBe(404);
        expect(res.body.error.message).toBe(`no record ${rec.id} in collection "things"`);
      }
    });

    it.each<[string, unknown, RegExp]>([
      ['name', 5, /must be a string/],
      ['name', 'x'.repeat(256), /at most 255 characters/],
      ['qty', 1.5, /must be an integer/],
      ['qty', '3', /must be an integer/],
      ['qty', 2 ** 53, /must be an integer/],
      ['price', '1', /must be a number/],
      ['active', 'true', /must be true or false/],
      ['active', 1, /must be true or false/],
      ['due', 'yesterday', /ISO 8601/],
      ['due', '2025-02-30', /ISO 8601/],
      ['due', '2025-01-01T10:00:00', /ISO 8601/],
      ['note', { a: 1 }, /must be a string/],
      ['colour', 'red', /is not a field of collection "things"/],
      ['id', 'mine', /is set by Hookflow/],
      ['createdAt', '2025-01-01', /is set by Hookflow/],
    ])('refuses %s = %j with 400 naming the field', async (field, value, message) => {
      const res = await s.api('POST', base, { name: 'ok', [field]: value });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.details).toEqual([{ path: field, message: expect.stringMatching(message) }]);
      expect(res.body.error.message).toMatch(new RegExp(`^invalid values for collection "things": ${field} `));
    });

    it('lists every problem at once; required fields on create, not on update', async () => {
      const res = await s.api('POST', base, { qty: 'x', price: 'y' });
      expect(res.body.error.details.map((p: Rec) => p.path)).toEqual(['qty', 'price', 'name']);
      const { body: rec } = await s.api('POST', base, { name: 'r' });
      expect((await s.api('PATCH', `${base}/${rec.id}`, { qty: 3 })).status).toBe(200);
      const cleared = await s.api('PATCH', `${base}/${rec.id}`, { name: null });
      expect(cleared.body.error.details).toEqual([{ path: 'name', message: 'is required and cannot be null' }]);
    });

    it('refuses a body that is not an object', async () => {
      expect((await s.api('POST', base, [1, 2])).status).toBe(400);
      expect((await s.api('POST', base, '"text"')).status).toBe(400);
    });

    it('answers 409 naming the field when a unique value is taken', async () => {
      await s.api('POST', base, { name: 'u1', sku: 'U-1' });
      const dup = await s.api('POST', base, { name: 'u2', sku: 'U-1' });
      expect(dup.status).toBe(409);
      expect(dup.body.error).toEqual({
        code: 'conflict',
        message: 'value of "sku" already exists in collection "things"; it must be unique',
        details: [{ path: 'sku', message: 'already exists' }],
      });
      const { body: other } = await s.api('POST', base, { name: 'u3', sku: 'U-3' });
      const patched = await s.api('PATCH', `${base}/${other.id}`, { sku: 'U-1' });
      expect(patched.status).toBe(409);
      expect(patched.body.error.details).toEqual([{ path: 'sku', message: 'already exists' }]);
      // Several records without a value are fine.
      expect((await s.api('POST', base, { name: 'u4' })).status).toBe(201);
      expect((await s.api('POST', base, { name: 'u5' })).status).toBe(201);
    });
  });
});
