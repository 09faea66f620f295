import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';
import { FIELDS } from './fixture-fields.js';

type Rec = Record<string, any>;


/** Created in this order; ids (and createdAt) follow it. */
const SEED: Rec[] = [
  { name: 'apple', qty: 5, price: 1.5, active: true, due: '2025-01-01T00:00:00Z', note: 'red fruit', sku: 'A1', tags: ['fruit'] },
  { name: 'banana', qty: 12, price: 0.25, active: false, due: '2025-03-01T00:00:00Z', note: 'yellow', sku: 'B1' },
  { name: 'cherry', price: 10, active: true, note: 'Red small', sku: 'C1' },
  { name: 'date', qty: 5, price: 3, sku: 'D1' },
  { name: 'Elder', qty: 0, price: -1, active: false, due: '2024-12-31T23:59:59.999Z' },
];

describe.each(storeKinds)('listing records on %s', (kind) => {
  let s: TestServer;
  let seeded: Rec[];
  const list = (query: Record<string, unknown> = {}, collection = 'items') => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    return s.api('GET', `/api/collections/${collection}/records?${params}`);
  };
  const names = async (query: Record<string, unknown>) => {
    const res = await list({ limit: 500, ...query });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items.map((r: Rec) => r.name);
  };

  beforeAll(async () => {
    s = await startTestServer(kind);
    expect((await s.api('POST', '/api/collections', { name: 'items', fields: FIELDS })).status).toBe(201);
    seeded = [];
    for (const values of SEED) {
      const res = await s.api('POST', '/api/collections/items/records', values);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      seeded.push(res.body);
    }
  });
  afterAll(async () => {
    await s.stop();
  });

  describe('filters', () => {
    it.each<[string, unknown, string[]]>([
      ['implicit $eq', { name: 'apple' }, ['apple']],
      ['$eq', { name: { $eq: 'apple' } }, ['apple']],
      ['$ne (records without a value match too)', { qty: { $ne: 5 } }, ['banana', 'cherry', 'Elder']],
      ['$gt', { qty: { $gt: 5 } }, ['banana']],
      ['$gte', { qty: { $gte: 5 } }, ['apple', 'banana', 'date']],
      ['$lt', { qty: { $lt: 5 } }, ['Elder']],
      ['$lte', { qty: { $lte: 5 } }, ['apple', 'date', 'Elder']],
      ['a range on a number', { price: { $gt: 1, $lt: 5 } }, ['apple', 'date']],
      ['datetimes compare as instants', { due: { $lt: '2025-01-01T01:00:00+01:00' } }, ['Elder']],
      ['a date means its midnight UTC', { due: { $gte: '2025-01-01' } }, ['apple', 'banana']],
      ['$in', { name: { $in: ['apple', 'cherry', 'zzz'] } }, ['apple', 'cherry']],
      ['empty $in', { name: { $in: [] } }, []],
      ['$nin (records without a value match too)', { qty: { $nin: [5, 12] } }, ['cherry', 'Elder']],
      ['$contains is case-sensitive', { note: { $contains: 'Red' } }, ['cherry']],
      ['$contains', { note: { $contains: 'red' } }, ['apple']],
      ['$contains takes % and _ literally', { note: { $contains: '%' } }, []],
      ['$exists: false', { qty: { $exists: false } }, ['cherry']],
      ['$exists: true', { due: { $exists: true } }, ['apple', 'banana', 'Elder']],
      ['$exists on json', { tags: { $exists: true } }, ['apple']],
      ['boolean true', { active: true }, ['apple', 'cherry']],
      ['boolean false', { active: false }, ['banana', 'Elder']],
      ['null', { active: null }, ['date']],
      ['$ne null', { active: { $ne: null } }, ['apple', 'banana', 'cherry', 'Elder']],
      ['several fields mean and', { name: 'apple', qty: 5 }, ['apple']],
      ['$or', { $or: [{ name: 'apple' }, { qty: { $gt: 10 } }] }, ['apple', 'banana']],
      ['$and', { $and: [{ qty: 5 }, { price: { $gt: 2 } }] }, ['date']],
      ['nested $or/$and', { $or: [{ $and: [{ active: true }, { price: { $gte: 10 } }] }, { name: 'Elder' }] }, ['cherry', 'Elder']],
      ['strings compare by code point on both stores', { name: { $gt: 'Z' } }, ['apple', 'banana', 'cherry', 'date']],
      ['string ranges', { sku: { $gt: 'B' } }, ['banana', 'cherry', 'date']],
    ])('%s', async (_title, filter, expected) => {
      expect(await names({ filter })).toEqual(expected);
    });

    it('filters on id and createdAt', async () => {
      expect(await names({ filter: { id: { $in: [seeded[1]!.id, seeded[3]!.id] } } })).toEqual(['banana', 'date']);
      expect(await names({ filter: { createdAt: { $gte: seeded[3]!.createdAt } } })).toEqual(['date', 'Elder']);
    });

    it.each<[string, unknown, string, RegExp]>([
      ['an unknown field', { colour: 'red' }, 'filter.colour', /is not a field of collection "items"; its fields: id, name/],
      ['an unknown operator', { qty: { $like: 1 } }, 'filter.qty.$like', /is not an operator/],
      ['a wrongly typed value', { qty: { $gt: 'five' } }, 'filter.qty.$gt', /must be an integer/],
      ['a range on a boolean', { active: { $gt: true } }, 'filter.active.$gt', /does not apply to a boolean field/],
      ['$contains on a number', { qty: { $contains: '1' } }, 'filter.qty.$contains', /only string and text/],
      ['$eq on json', { tags: ['fruit'] }, 'filter.tags', /is a list/],
      ['$eq on json, spelled out', { tags: { $eq: 'fruit' } }, 'filter.tags.$eq', /only be filtered with \$exists/],
      ['$in without a list', { qty: { $in: 5 } }, 'filter.qty.$in', /must be a list/],
      ['null in $in', { qty: { $in: [null] } }, 'filter.qty.$in[0]', /must not be null/],
      ['$exists with a string', { qty: { $exists: 'yes' } }, 'filter.qty.$exists', /true or false/],
      ['an empty $or', { $or: [] }, 'filter.$or', /non-empty list/],
      ['an unknown top-level operator', { $not: { qty: 1 } }, 'filter.$not', /only \$and and \$or/],
      ['a bad datetime', { due: { $lt: 'tomorrow' } }, 'filter.due.$lt', /ISO 8601/],
      ['a filter that is not an object', [1], 'filter', /must be an object/],
    ])('refuses %s with 400 and its path', async (_title, filter, path, message) => {
      const res = await list({ filter });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.details).toContainEqual({ path, message: expect.stringMatching(message) });
    });

    it('refuses a filter that is not JSON', async () => {
      const res = await s.api('GET', '/api/collections/items/records?filter=%7Bname');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^filter is not valid JSON/);
    });

    it('bounds the size of a filter', async () => {
      const big = { $or: Array.from({ length: 101 }, (_, i) => ({ qty: i })) };
      expect((await list({ filter: big })).body.error.message).toMatch(/more than 100 conditions/);
      let deep: Rec = { qty: 1 };
      for (let i = 0; i < 10; i++) deep = { $and: [deep] };
      expect((await list({ filter: deep })).body.error.message).toMatch(/nested more than 8 levels/);
    });
  });

  describe('sort and pagination', () => {
    it.each<[string, string[]]>([
      ['name', ['Elder', 'apple', 'banana', 'cherry', 'date']],
      ['-qty,name', ['banana', 'apple', 'date', 'Elder', 'cherry']],
      ['qty', ['cherry', 'Elder', 'apple', 'date', 'banana']],
      ['-createdAt', ['Elder', 'date', 'cherry', 'banana', 'apple']],
      ['active,-price', ['date', 'banana', 'Elder', 'cherry', 'apple']],
    ])('sorts by %s (NULLs first ascending, last descending, on both stores)', async (sort, expected) => {
      expect(await names({ sort })).toEqual(expected);
    });

    it('defaults to creation order', async () => {
      expect(await names({})).toEqual(SEED.map((r) => r.name));
    });

    it.each(['colour', 'tags', 'name,-name', 'a,b,c,d,e,f', 'name desc'])('refuses sort=%s', async (sort) => {
      const res = await list({ sort });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('sort');
    });

    it.each([undefined, 'name', '-qty,name', 'qty', 'active,-due', '-createdAt'])('walks every page with cursors (sort=%s)', async (sort) => {
      const expected = await names({ sort });
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await list({ sort, limit: 2, cursor });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((r: Rec) => r.name));
        cursor = res.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual(expected);
    });

    it('pages with a filter too, and says when there is no next page', async () => {
      const first = await list({ filter: { qty: { $gte: 0 } }, sort: 'qty', limit: 3 });
      expect(first.body.items.map((r: Rec) => r.name)).toEqual(['Elder', 'apple', 'date']);
      const second = await list({ filter: { qty: { $gte: 0 } }, sort: 'qty', limit: 3, cursor: first.body.nextCursor });
      expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'banana' })], nextCursor: null });
    });

    it('pages with offset', async () => {
      expect(await names({ sort: 'name', limit: 2, offset: 2 })).toEqual(['banana', 'cherry']);
      expect((await list({ cursor: 'x', offset: 1 })).status).toBe(400);
    });

    it('refuses a cursor that is not one of this list', async () => {
      const { body } = await list({ sort: 'name', limit: 1 });
      for (const [cursor, sort] of [[body.nextCursor, 'qty'], ['garbage', 'name'], [Buffer.from('{"s":"name,id","v":[1,2]}').toString('base64url'), 'name']]) {
        const res = await list({ sort, cursor });
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([{ path: 'cursor', message: 'is not a cursor of this list' }]);
      }
    });

    it('bounds limit', async () => {
      expect((await list({ limit: 0 })).status).toBe(400);
      expect((await list({ limit: 501 })).status).toBe(400);
    });
  });
});
