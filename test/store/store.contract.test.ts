import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idFloor, newId } from '../../src/shared/ids.js';
import * as workflows from '../../src/store/workflows.js';
import * as executions from '../../src/store/executions.js';
import { listJobs, saveJobs, type StoredJob } from '../../src/store/jobs.js';
import { deleteRequestsBefore, insertRequests, listRequests, type RequestLogEntry } from '../../src/store/requests.js';
import { countActiveTokens, findActiveTokenByHash, insertApiToken } from '../../src/store/api-tokens.js';
import { createWriteBatcher } from '../../src/store/write-batcher.js';
import { claimDedupKey, deleteExpiredDedupKeys } from '../../src/store/dedup-keys.js';
import { createTestStore, storeKinds, type TestStore } from '../helpers/stores.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const t = (s: number) => at(s).toISOString();
/** An id made at second `s` (ids are time-ordered). */
const idAt = (s: number) => `${idFloor(at(s)).slice(0, -1)}1`;

function newExecution(workflowId: string, overrides: Partial<executions.NewExecution> = {}): executions.NewExecution {
  return { id: newId(), workflowId, workflowVersion: 1, status: 'queued', mode: 'async', trigger: { data: { n: 1 } }, createdAt: t(0), ...overrides };
}

function job(executionId: string, path: string, overrides: Partial<StoredJob & { seq: number }> = {}): StoredJob & { seq: number } {
  return {
    id: newId(), executionId, path, nodeKey: path, type: 'set', status: 'succeeded', branch: null,
    input: { a: 1 }, output: { b: 2 }, error: null, attempts: 1, startedAt: t(1), finishedAt: t(2), seq: 0, ...overrides,
  };
}

function request(overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return {
    id: newId(), receivedAt: t(0), ip: '127.0.0.1', method: 'POST', path: '/api/webhooks/x', workflowId: null, executionId: null,
    outcome: 'accepted', status: 200, latencyMs: 1.5, headers: { 'content-type': 'application/json' }, reason: null, bodyBytes: 10, ...overrides,
  };
}

describe.each(storeKinds)('store contract on %s', (kind) => {
  let ts: TestStore;
  beforeEach(async () => {
    ts = await createTestStore(kind);
  });
  afterEach(async () => {
    await ts.cleanup();
  });

  it('keeps every version of a workflow and serves the current one', async () => {
    const { db } = ts.store;
    const created = await workflows.insertWorkflow(db, { id: 'w1', key: 'k1', title: 'A', enabled: true, path: 'forms/:id', definition: { title: 'A' }, now: t(0) });
    expect(created).toMatchObject({ id: 'w1', key: 'k1', version: 1, enabled: true, path: 'forms/:id', definition: { title: 'A' } });
    const updated = await workflows.updateWorkflow(db, { id: 'w1', title: 'B', enabled: false, path: null, definition: { title: 'B' }, now: t(5) });
    expect(updated).toMatchObject({ version: 2, title: 'B', enabled: false, path: null, updatedAt: t(5) });
    const versions = await workflows.listWorkflowVersions(db, 'w1');
    expect(versions.map((v) => [v.version, v.definition])).toEqual([[2, { title: 'B' }], [1, { title: 'A' }]]);
    expect((await workflows.getWorkflowVersion(db, 'w1', 1))?.definition).toEqual({ title: 'A' });
    expect(await workflows.updateWorkflow(db, { id: 'nope', title: 'x', enabled: true, path: null, definition: {}, now: t(6) })).toBeUndefined();
    expect((await workflows.setWorkflowEnabled(db, { id: 'w1', enabled: true, now: t(7) }))?.enabled).toBe(true);
    expect(await workflows.listWorkflows(db)).toHaveLength(1);
    expect(await workflows.deleteWorkflow(db, 'w1')).toBe(true);
    expect(await workflows.getWorkflow(db, 'w1')).toBeUndefined();
    expect(await workflows.listWorkflowVersions(db, 'w1')).toEqual([]);
    expect(await workflows.deleteWorkflow(db, 'w1')).toBe(false);
  });

  it('refuses a second workflow with the same key', async () => {
    const { db } = ts.store;
    await workflows.insertWorkflow(db, { id: 'w1', key: 'same', title: 'A', enabled: true, path: null, definition: {}, now: t(0) });
    await expect(workflows.insertWorkflow(db, { id: 'w2', key: 'same', title: 'B', enabled: true, path: null, definition: {}, now: t(0) })).rejects.toThrow();
  });

  it('claims each queued run once, takes over expired leases, and hands runs back', async () => {
    const { db, dialect } = ts.store;
    const a = newExecution('w1');
    const b = newExecution('w1');
    await executions.insertExecution(db, a);
    await executions.insertExecution(db, b);
    const [first, second] = await Promise.all([
      executions.claimExecutions(db, dialect, { workerId: 'p1', limit: 1, now: t(10), leaseUntil: t(40) }),
      executions.claimExecutions(db, dialect, { workerId: 'p2', limit: 1, now: t(10), leaseUntil: t(40) }),
    ]);
    const claimed = [...first!, ...second!].map((e) => e.id).sort();
    expect(claimed).toEqual([a.id, b.id].sort());
    expect(await executions.claimExecutions(db, dialect, { workerId: 'p3', limit: 10, now: t(20), leaseUntil: t(50) })).toEqual([]);

    // p1 dies: after its lease runs out, p3 takes the run over as a second attempt.
    await executions.renewLeases(db, { workerId: 'p2', leaseUntil: t(100) });
    const takenOver = await executions.claimExecutions(db, dialect, { workerId: 'p3', limit: 10, now: t(41), leaseUntil: t(70) });
    expect(takenOver).toHaveLength(1);
    expect(takenOver[0]).toMatchObject({ leaseOwner: 'p3', status: 'running', attempt: 2, startedAt: t(10) });

    await executions.releaseExecution(db, { id: takenOver[0]!.id, workerId: 'p3' });
    expect(await executions.getExecution(db, takenOver[0]!.id)).toMatchObject({ status: 'queued', leaseOwner: null });

    await executions.finishExecution(db, { id: a.id, status: 'succeeded', response: { status: 200 }, error: null, finishedAt: t(60) });
    expect(await executions.getExecution(db, a.id)).toMatchObject({ status: 'succeeded', response: { status: 200 }, leaseOwner: null, finishedAt: t(60) });
  });

  it('lists executions newest first with filters and a cursor', async () => {
    const { db } = ts.store;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = newExecution(i % 2 ? 'w2' : 'w1', { status: i === 4 ? 'failed' : 'succeeded' });
      ids.push(e.id);
      await executions.insertExecution(db, e);
    }
    const page1 = await executions.listExecutions(db, { limit: 2 });
    expect(page1.items.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    const page2 = await executions.listExecutions(db, { limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const page3 = await executions.listExecutions(db, { limit: 2, cursor: page2.nextCursor! });
    expect(page3).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect((await executions.listExecutions(db, { limit: 10, workflowId: 'w2' })).items).toHaveLength(2);
    expect((await executions.listExecutions(db, { limit: 10, status: 'failed' })).items.map((e) => e.id)).toEqual([ids[4]]);
  });

  it('stores jobs in run order and lets a resumed run overwrite a path', async () => {
    const { db } = ts.store;
    await saveJobs(db, [job('e1', 'a', { seq: 0 }), job('e1', 'b', { seq: 1, status: 'failed', error: { code: 'node_failed', message: 'x' } })]);
    await saveJobs(db, [job('e1', 'b', { seq: 1, output: { again: true } })]);
    const jobs = await listJobs(db, 'e1');
    expect(jobs.map((j) => [j.path, j.status, j.output])).toEqual([['a', 'succeeded', { b: 2 }], ['b', 'succeeded', { again: true }]]);
    expect(jobs[0]).toMatchObject({ input: { a: 1 }, attempts: 1, startedAt: t(1), finishedAt: t(2), error: null });
  });

  it('keeps the request log with filters, a cursor and retention', async () => {
    const { db } = ts.store;
    await insertRequests(db, [request({ id: idAt(0), receivedAt: t(0), outcome: 'not_found', status: 404 }), request({ id: idAt(30), receivedAt: t(30), workflowId: 'w1' })]);
    const all = await listRequests(db, { limit: 10 });
    expect(all.items.map((r) => r.outcome)).toEqual(['accepted', 'not_found']);
    expect(all.items[0]).toMatchObject({ latencyMs: 1.5, headers: { 'content-type': 'application/json' }, workflowId: 'w1' });
    expect((await listRequests(db, { limit: 10, outcome: 'not_found' })).items).toHaveLength(1);
    expect(await deleteRequestsBefore(db, at(10))).toBe(1);
    expect((await listRequests(db, { limit: 10 })).items).toHaveLength(1);
  });

  it('finds tokens by hash only while they are not revoked', async () => {
    const { db } = ts.store;
    expect(await countActiveTokens(db)).toBe(0);
    await insertApiToken(db, { id: 't1', name: 'admin', hash: 'h1', now: t(0) });
    expect(await findActiveTokenByHash(db, 'h1')).toMatchObject({ id: 't1', name: 'admin' });
    expect(await findActiveTokenByHash(db, 'h2')).toBeUndefined();
    expect(await countActiveTokens(db)).toBe(1);
  });

  it('commits concurrent writes in shared transactions and isolates a failing one', async () => {
    const batcher = createWriteBatcher(ts.store);
    const writes = Array.from({ length: 20 }, (_, i) =>
      batcher.write((set) => set.requests.push(request({ id: `r${String(i).padStart(2, '0')}` }))),
    );
    const duplicate = batcher.write((set) => set.requests.push(request({ id: 'r00' })));
    await Promise.all(writes);
    await expect(duplicate).rejects.toThrow();
    await batcher.drain();
    expect((await listRequests(ts.store.db, { limit: 100 })).items).toHaveLength(20);
  });

  it('commits a batch with more values than one statement may bind', async () => {
    const batcher = createWriteBatcher(ts.store);
    // 5,100 rows × 13 columns is over PostgreSQL's 65,535 parameters and SQLite's 32,766.
    const rows = Array.from({ length: 5_100 }, () => request());
    await batcher.write((set) => set.requests.push(...rows));
    const { count } = await ts.store.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(5_100);
  });

  it('keeps a group commit out of a transaction that rolls back around it', async () => {
    const batcher = createWriteBatcher(ts.store);
    let committed: Promise<void> | undefined;
    await expect(
      ts.store.db.transaction().execute(async (trx) => {
        await insertRequests(trx, [request({ id: 'rolled-back' })]);
        committed = batcher.write((set) => set.requests.push(request({ id: 'batched' })));
        await new Promise((resolve) => setTimeout(resolve, 20)); // the batch's turn comes while the transaction is open
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await committed;
    expect((await listRequests(ts.store.db, { limit: 10 })).items.map((r) => r.id)).toEqual(['batched']);
  });

  it('writes a run, its jobs and its request in one group commit, and a later snapshot of the run wins', async () => {
    const batcher = createWriteBatcher(ts.store);
    const run = newExecution('w1', { status: 'running', mode: 'sync' });
    await Promise.all([
      batcher.write((set) => {
        set.executions.push(run, { ...run, status: 'succeeded', response: { status: 200 }, finishedAt: t(3) });
        set.jobs.push(job(run.id, 'a'), job(run.id, 'b', { seq: 1 }));
      }),
      batcher.write((set) => set.requests.push(request({ executionId: run.id }))),
    ]);
    expect(await executions.getExecution(ts.store.db, run.id)).toMatchObject({ status: 'succeeded', response: { status: 200 }, finishedAt: t(3) });
    expect((await listJobs(ts.store.db, run.id)).map((j) => j.path)).toEqual(['a', 'b']);
    expect((await listRequests(ts.store.db, { limit: 10 })).items[0]).toMatchObject({ executionId: run.id });
  });

  it('keeps the jobs written with their execution through later writes, beside jobs stored as rows', async () => {
    const batcher = createWriteBatcher(ts.store);
    const whole = newExecution('w1', { status: 'succeeded', mode: 'sync', finishedAt: t(3) });
    const { executionId: _a, seq: _s, ...first } = job(whole.id, 'a', { output: { n: 1 } });
    const { executionId: _b, seq: _t, ...second } = job(whole.id, 'b', { status: 'failed', error: { code: 'node_failed', message: 'x' } });
    await batcher.write((set) => set.executions.push({ ...whole, jobs: [first, second] }));
    // A later snapshot without jobs, as a retried or repeated write would carry, takes none away.
    await batcher.write((set) => set.executions.push({ ...whole, response: { status: 200 } }));
    expect((await listJobs(ts.store.db, whole.id)).map((j) => [j.executionId, j.path, j.status, j.output, j.error])).toEqual([
      [whole.id, 'a', 'succeeded', { n: 1 }, null],
      [whole.id, 'b', 'failed', { b: 2 }, { code: 'node_failed', message: 'x' }],
    ]);
    expect(await executions.getExecution(ts.store.db, whole.id)).toMatchObject({ response: { status: 200 } });

    const stepwise = newExecution('w1', { status: 'running' });
    await batcher.write((set) => {
      set.executions.push(stepwise);
      set.jobs.push(job(stepwise.id, 'a'), job(stepwise.id, 'b', { seq: 1 }));
    });
    expect((await listJobs(ts.store.db, stepwise.id)).map((j) => j.path)).toEqual(['a', 'b']);
  });
});

describe.each(storeKinds)('dedup keys on %s', (kind) => {
  let ts: TestStore;
  beforeEach(async () => {
    ts = await createTestStore(kind);
  });
  afterEach(async () => {
    await ts.cleanup();
  });

  const claim = (executionId: string, overrides: Partial<Parameters<typeof claimDedupKey>[1]> = {}) =>
    claimDedupKey(ts.store.db, { workflowId: 'w1', key: 'delivery-1', executionId, now: t(10), expiresAt: t(100), staleBefore: t(0), ...overrides });

  it('lets exactly one of several concurrent claims win', async () => {
    const results = await Promise.all(['e1', 'e2', 'e3', 'e4'].map((id) => claim(id)));
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const holder = ['e1', 'e2', 'e3', 'e4'][results.findIndex((r) => r.claimed)];
    for (const r of results.filter((r) => !r.claimed)) expect(r).toEqual({ claimed: false, executionId: holder });
  });

  it('frees a key after its window, and takes over a claim that never became an execution', async () => {
    expect(await claim('e1')).toEqual({ claimed: true });
    expect(await claim('e2', { now: t(50) })).toEqual({ claimed: false, executionId: 'e1' });
    expect(await claim('e3', { now: t(100), expiresAt: t(200) })).toEqual({ claimed: true });
    // e3 was never recorded as an execution: once stale, the next delivery takes the key.
    expect(await claim('e4', { now: t(150), expiresAt: t(300), staleBefore: t(120) })).toEqual({ claimed: true });
    await executions.insertExecution(ts.store.db, newExecution('w1', { id: 'e4' }));
    expect(await claim('e5', { now: t(250), expiresAt: t(400), staleBefore: t(240) })).toEqual({ claimed: false, executionId: 'e4' });
    expect(await deleteExpiredDedupKeys(ts.store.db, t(300))).toBe(1);
  });
});
