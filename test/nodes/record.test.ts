/**
 * The record nodes inside real workflows, run by real webhook calls, over
 * real tables on each store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

type Rec = Record<string, any>;

describe.each(storeKinds)('record nodes on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
    const created = await s.api('POST', '/api/collections', {
      name: 'customers',
      fields: [
        { name: 'email', type: 'string', required: true, unique: true },
        { name: 'name', type: 'string' },
        { name: 'externalId', type: 'string', unique: true },
        { name: 'visits', type: 'integer' },
        { name: 'vip', type: 'boolean' },
        { name: 'profile', type: 'json' },
      ],
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await s.stop();
  });

  /** A sync workflow at `/api/webhooks/<path>` running `nodes`, then answering with `$nodes.<answer>`. */
  const workflow = (path: string, nodes: unknown[], answer: string) =>
    s.createWorkflow({
      title: path,
      trigger: { type: 'webhook', path, methods: ['POST'] },
      nodes: [...nodes, { key: 'reply', type: 'respond', body: `{{ $nodes.${answer} }}` }],
    });
  const post = async (path: string, data: unknown) => {
    const res = await s.call('POST', `/api/webhooks/${path}`, { body: JSON.stringify(data), headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const records = async (filter: unknown = {}) =>
    (await s.api('GET', `/api/collections/customers/records?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=500`)).body.items as Rec[];

  it('record.create writes the record and outputs it with its id', async () => {
    await workflow('create', [{
      key: 'saved',
      type: 'record.create',
      collection: 'customers',
      values: { email: '{{ $context.data.email }}', name: '{{ $context.data.name }}', visits: 1, vip: '{{ $context.data.vip === "yes" }}', profile: '{{ $context.data }}' },
    }], 'saved');
    const res = await post('create', { email: 'ada@example.com', name: 'Ada', vip: 'yes' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(String), email: 'ada@example.com', name: 'Ada', externalId: null, visits: 1, vip: true,
      profile: { email: 'ada@example.com', name: 'Ada', vip: 'yes' }, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect(await records({ email: 'ada@example.com' })).toEqual([res.body]);
  });

  it('a unique violation fails the node with conflict naming the field, without retrying', async () => {
    const wf = await s.createWorkflow({
      title: 'dup',
      trigger: { type: 'webhook', path: 'dup', methods: ['POST'] },
      nodes: [{ key: 'saved', type: 'record.create', collection: 'customers', values: { email: '{{ $context.data.email }}' }, retry: { max: 3, backoffMs: 1 } }],
    });
    expect((await post('dup', { email: 'dup@example.com' })).status).toBe(200);
    const res = await post('dup', { email: 'dup@example.com' });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({
      code: 'run_failed',
      message: 'node "saved" failed: value of "email" already exists in collection "customers"; it must be unique',
      details: { nodeKey: 'saved', cause: 'conflict' },
    });
    const execution = await s.waitForExecution(res.body.error.details.executionId, 'failed');
    expect(execution.workflowId).toBe(wf.id);
    expect(execution.jobs).toEqual([expect.objectContaining({
      nodeKey: 'saved',
      status: 'failed',
      attempts: 1,
      error: { code: 'conflict', message: expect.stringContaining('"email" already exists'), details: [{ path: 'email', message: 'already exists' }], nodeKey: 'saved' },
    })]);
  });

  it('wrongly typed values fail the node naming the field', async () => {
    await workflow('typed', [{ key: 'saved', type: 'record.create', collection: 'customers', values: { email: 'typed@example.com', visits: '{{ $context.data.visits }}' } }], 'saved');
    const res = await post('typed', { visits: '3' });
    expect(res.status).toBe(500);
    expect(res.body.error.message).toBe('node "saved" failed: invalid values for collection "customers": visits must be an integer (at most 2^53 - 1 in size)');
    expect(res.body.error.details.cause).toBe('node_failed');
    // Converted in the template, it goes in.
    await workflow('typed2', [{ key: 'saved', type: 'record.create', collection: 'customers', values: { email: 'typed@example.com', visits: '{{ Number($context.data.visits) }}' } }], 'saved');
    expect((await post('typed2', { visits: '3' })).body).toMatchObject({ visits: 3 });
  });

  it('record.upsert makes a delivery idempotent on the provider\'s id', async () => {
    await workflow('upsert', [{
      key: 'saved',
      type: 'record.upsert',
      collection: 'customers',
      filter: { externalId: '{{ $context.data.id }}' },
      values: { email: '{{ $context.data.email }}', name: '{{ $context.data.name }}' },
    }], 'saved');
    const first = await post('upsert', { id: 'gh-1', email: 'grace@example.com', name: 'Grace' });
    expect(first.body).toMatchObject({ externalId: 'gh-1', email: 'grace@example.com', name: 'Grace' });
    const again = await post('upsert', { id: 'gh-1', email: 'grace@example.com', name: 'Grace Hopper' });
    expect(again.body).toEqual({ ...first.body, name: 'Grace Hopper', updatedAt: expect.any(String) });
    expect(await records({ externalId: 'gh-1' })).toHaveLength(1);
    const other = await post('upsert', { id: 'gh-2', email: 'linus@example.com', name: 'Linus' });
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('concurrent upserts of one delivery make one record', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => post('upsert', { id: 'gh-race', email: 'race@example.com', name: `try ${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await records({ externalId: 'gh-race' })).toHaveLength(1);
  });

  it('record.query filters, sorts and limits; outputs a list', async () => {
    for (const [email, visits] of [['q1@example.com', 10], ['q2@example.com', 30], ['q3@example.com', 20]] as const) {
      await s.api('POST', '/api/collections/customers/records', { email, visits, vip: visits > 15 });
    }
    await workflow('query', [{
      key: 'found',
      type: 'record.query',
      collection: 'customers',
      filter: { visits: { $gte: '{{ $context.data.min }}' }, email: { $contains: 'q' } },
      sort: '-visits',
      limit: 2,
    }], 'found');
    const res = await post('query', { min: 15 });
    expect(res.body.map((r: Rec) => [r.email, r.visits])).toEqual([['q2@example.com', 30], ['q3@example.com', 20]]);
    expect((await post('query', { min: 1000 })).body).toEqual([]);
  });

  it('record.update changes the one matching record, and fails when none matches', async () => {
    await workflow('update', [{
      key: 'changed',
      type: 'record.update',
      collection: 'customers',
      filter: { email: '{{ $context.data.email }}' },
      values: { visits: '{{ $context.data.visits }}', name: '{{ $context.data.name }}' },
    }], 'changed');
    const res = await post('update', { email: 'q1@example.com', visits: 11 });
    // `name` was not in the data: its template gave undefined, which leaves the field alone.
    expect(res.body).toMatchObject({ email: 'q1@example.com', visits: 11, name: null });
    const missing = await post('update', { email: 'nobody@example.com', visits: 1 });
    expect(missing.status).toBe(500);
    expect(missing.body.error).toMatchObject({ message: 'node "changed" failed: no record in collection "customers" matches the filter', details: { cause: 'not_found' } });
  });

  it('record.update refuses a filter that matches several records', async () => {
    await workflow('updateMany', [{ key: 'changed', type: 'record.update', collection: 'customers', filter: { vip: true }, values: { name: 'x' } }], 'changed');
    const res = await post('updateMany', {});
    expect(res.body.error).toMatchObject({ message: expect.stringMatching(/the filter matches more than one record/), details: { cause: 'conflict' } });
  });

  it('record.delete deletes what matches and outputs the count', async () => {
    await workflow('delete', [{ key: 'removed', type: 'record.delete', collection: 'customers', filter: { email: { $in: '{{ $context.data.emails }}' } } }], 'removed');
    const res = await post('delete', { emails: ['q1@example.com', 'q2@example.com', 'nobody@example.com'] });
    expect(res.body).toEqual({ count: 2 });
    expect(await records({ email: { $in: ['q1@example.com', 'q2@example.com'] } })).toEqual([]);
    expect((await post('delete', { emails: [] })).body).toEqual({ count: 0 });
  });

  it('a filter value missing from the data fails instead of matching everything', async () => {
    await workflow('deleteById', [{ key: 'removed', type: 'record.delete', collection: 'customers', filter: { id: '{{ $context.data.id }}' } }], 'removed');
    const before = (await records()).length;
    const res = await post('deleteById', {});
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(/filter\.id has no value/);
    expect(await records()).toHaveLength(before);
  });

  it('webhook data in filters and values stays data', async () => {
    await workflow('search', [{ key: 'found', type: 'record.query', collection: 'customers', filter: { name: '{{ $context.data.name }}' } }], 'found');
    for (const name of ["' OR '1'='1", '" or 1=1 --', 'x); drop table rec_customers; --']) {
      expect((await post('search', { name })).body).toEqual([]);
    }
    const evil = "Robert'); DROP TABLE rec_customers;--";
    expect((await post('create', { email: 'bobby@example.com', name: evil })).body.name).toBe(evil);
    expect((await post('search', { name: evil })).body).toHaveLength(1);
  });

  it('an unknown collection or field fails the node at run time', async () => {
    await workflow('unknown', [{ key: 'found', type: 'record.query', collection: '{{ $context.data.c }}', filter: { colour: 'red' } }], 'found');
    expect((await post('unknown', { c: 'nope' })).body.error).toMatchObject({ message: 'node "found" failed: no collection "nope"', details: { cause: 'not_found' } });
    expect((await post('unknown', { c: 'customers' })).body.error.message).toMatch(/filter\.colour is not a field of collection "customers"/);
  });

  it('a bad written filter is refused when the workflow is saved', async () => {
    const res = await s.api('POST', '/api/workflows', {
      title: 'bad',
      trigger: { type: 'webhook' },
      nodes: [
        { key: 'a', type: 'record.delete', collection: 'customers', filter: {} },
        { key: 'b', type: 'record.query', collection: 'Customers', filter: { n: { $like: 1 } } },
        { key: 'c', type: 'record.update', collection: 'customers', filter: { n: { $like: 1 } }, values: {} },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((p: Rec) => p.path)).toEqual(['nodes[0].filter', 'nodes[1].collection', 'nodes[2].filter.n.$like']);
  });

  it('runs in async mode too', async () => {
    const wf = await s.createWorkflow({
      title: 'async',
      trigger: { type: 'webhook', mode: 'async' },
      nodes: [{ key: 'saved', type: 'record.upsert', collection: 'customers', filter: { email: '{{ $context.data.email }}' }, values: { visits: 7 } }],
    });
    const res = await s.call('POST', `/api/webhooks/${wf.key}`, { body: JSON.stringify({ email: 'async@example.com' }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    const { executionId } = (await res.json()) as { executionId: string };
    const execution = await s.waitForExecution(executionId, 'succeeded');
    expect(execution.jobs[0].output).toMatchObject({ email: 'async@example.com', visits: 7 });
  });
});
