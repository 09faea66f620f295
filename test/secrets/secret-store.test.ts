import { randomBytes } from 'node:crypto';
import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { secretKeyFromBytes } from '../../src/secrets/key.js';
import { createSecretStore } from '../../src/secrets/secret-store.js';
import type { Clock } from '../../src/shared/clock.js';
import { getSecret } from '../../src/store/secrets.js';
import { createTestStore, storeKinds, type TestStore } from '../helpers/stores.js';

const newKey = () => secretKeyFromBytes(randomBytes(32), 'test');

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let now = start;
  const clock: Clock = { now: () => new Date(now) };
  return { clock, advance: (ms: number) => (now += ms) };
}

describe.each(storeKinds)('secret store on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(kind);
  });
  afterAll(async () => {
    await t.cleanup();
  });
  beforeEach(async () => {
    await t.store.db.deleteFrom('secrets').execute();
  });

  it('round-trips values and lists names with timestamps only', async () => {
    const time = manualClock();
    const secrets = createSecretStore({ db: t.store.db, key: newKey(), clock: time.clock });
    await secrets.put('GITHUB_SECRET', 'gh-value-1');
    time.advance(1000);
    await secrets.put('SLACK_URL', 'https://hooks.slack.com/services/T/B/x');
    expect(await secrets.values()).toEqual({ GITHUB_SECRET: 'gh-value-1', SLACK_URL: 'https://hooks.slack.com/services/T/B/x' });
    expect(await secrets.list()).toEqual([
      { name: 'GITHUB_SECRET', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
      { name: 'SLACK_URL', createdAt: '2026-01-01T00:00:01.000Z', updatedAt: '2026-01-01T00:00:01.000Z' },
    ]);

    time.advance(1000);
    await secrets.put('GITHUB_SECRET', 'gh-value-2');
    expect((await secrets.values()).GITHUB_SECRET).toBe('gh-value-2');
    expect((await secrets.list())[0]).toEqual({ name: 'GITHUB_SECRET', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:02.000Z' });

    await secrets.remove('SLACK_URL');
    expect(await secrets.values()).toEqual({ GITHUB_SECRET: 'gh-value-2' });
    await expect(secrets.remove('SLACK_URL')).rejects.toMatchObject({ code: 'not_found', message: 'secret SLACK_URL does not exist' });
  });

  it('never writes the plaintext to the database', async () => {
    const secrets = createSecretStore({ db: t.store.db, key: newKey(), clock: manualClock().clock });
    const value = 'plaintext-that-must-not-be-stored';
    await secrets.put('API_TOKEN', value);
    const rows = (await sql<Record<string, unknown>>`select * from secrets`.execute(t.store.db)).rows;
    expect(rows).toHaveLength(1);
    const raw = JSON.stringify(rows);
    for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex'), 'must-not']) expect(raw).not.toContain(form);
    expect(String(rows[0]!.ciphertext)).toMatch(/^v1:[0-9a-f]{8}:/);
  });

  it('returns a frozen object without a prototype', async () => {
    const secrets = createSecretStore({ db: t.store.db, key: newKey(), clock: manualClock().clock });
    await secrets.put('A_KEY', 'value');
    const values = await secrets.values();
    expect(Object.isFrozen(values)).toBe(true);
    expect(Object.getPrototypeOf(values)).toBeNull();
    expect(await secrets.values()).toBe(values);
  });

  it('refuses names that are not like environment variables', async () => {
    const secrets = createSecretStore({ db: t.store.db, key: newKey(), clock: manualClock().clock });
    for (const name of ['lower', '1ABC', '_ABC', 'A-B', 'A.B', '', 'A'.repeat(129), 'ÄBC']) {
      await expect(secrets.put(name, 'v'), name).rejects.toMatchObject({ code: 'bad_request', status: 400 });
    }
    await secrets.put('A'.repeat(128), 'v');
    await secrets.put('X', 'v');
    await secrets.put('A_1_B', 'v');
    expect((await secrets.list()).map((s) => s.name)).toEqual(['A'.repeat(128), 'A_1_B', 'X']);
  });

  it('fails clearly under another key, naming the key ids', async () => {
    const original = newKey();
    await createSecretStore({ db: t.store.db, key: original, clock: manualClock().clock }).put('ONE', 'v1');
    await createSecretStore({ db: t.store.db, key: original, clock: manualClock().clock }).put('TWO', 'v2');
    const other = newKey();
    const error = await createSecretStore({ db: t.store.db, key: other, clock: manualClock().clock }).values().catch((err: unknown) => err);
    expect(error).toMatchObject({
      code: 'secret_unreadable',
      message: `cannot decrypt secret ONE: it was encrypted with key ${original.id}, but the key now in use is ${other.id} (from test); restore the key it was stored with (and 1 more: TWO)`,
      details: [{ name: 'ONE' }, { name: 'TWO' }],
    });
  });

  it('fails clearly when rows are swapped between names or altered', async () => {
    const key = newKey();
    const secrets = createSecretStore({ db: t.store.db, key, clock: manualClock().clock });
    await secrets.put('FIRST', 'first-value');
    await secrets.put('SECOND', 'second-value');
    const first = (await getSecret(t.store.db, 'FIRST'))!;
    const second = (await getSecret(t.store.db, 'SECOND'))!;
    await t.store.db.updateTable('secrets').set({ ciphertext: second.ciphertext }).where('name', '=', 'FIRST').execute();
    await t.store.db.updateTable('secrets').set({ ciphertext: first.ciphertext }).where('name', '=', 'SECOND').execute();
    // A fresh store, as after a restart: the first one still holds the values in memory.
    const restarted = createSecretStore({ db: t.store.db, key, clock: manualClock().clock });
    await expect(restarted.values()).rejects.toMatchObject({
      code: 'secret_unreadable',
      message: 'cannot decrypt secret FIRST: the stored value fails its integrity check: it was altered, or stored under another name (and 1 more: SECOND)',
    });

    await restarted.put('FIRST', 'first-value');
    const [version, keyId, iv, tag, data] = second.ciphertext.split(':');
    const flipped = Buffer.from(data!, 'base64');
    flipped[0] = flipped[0]! ^ 0x20;
    await t.store.db.updateTable('secrets').set({ ciphertext: [version, keyId, iv, tag, flipped.toString('base64')].join(':') }).where('name', '=', 'SECOND').execute();
    await expect(createSecretStore({ db: t.store.db, key, clock: manualClock().clock }).values()).rejects.toMatchObject({
      code: 'secret_unreadable',
      message: 'cannot decrypt secret SECOND: the stored value fails its integrity check: it was altered, or stored under another name',
    });
  });

  it('answers from memory, shows its own changes at once and another process\'s within maxAgeMs', async () => {
    const key = newKey();
    const time = manualClock();
    const here = createSecretStore({ db: t.store.db, key, clock: time.clock, maxAgeMs: 5000 });
    const elsewhere = createSecretStore({ db: t.store.db, key, clock: time.clock });
    await here.put('LOCAL', 'l1');
    expect(await here.values()).toEqual({ LOCAL: 'l1' });

    await elsewhere.put('REMOTE', 'r1');
    time.advance(4999);
    expect(await here.values()).toEqual({ LOCAL: 'l1' });
    time.advance(1);
    expect(await here.values()).toEqual({ LOCAL: 'l1', REMOTE: 'r1' });

    await elsewhere.remove('REMOTE');
    await here.put('LOCAL', 'l2');
    expect(await here.values()).toEqual({ LOCAL: 'l2' });
  });

  // Holding a read open needs a second connection while it waits: SQLite's
  // single connection would hold the write behind it. The logic is the same on both.
  it.runIf(kind === 'postgres')('never lets a read that began before a change hide that change', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const holdFirstRead: KyselyPlugin = {
      transformQuery: (args) => args.node,
      async transformResult(args) {
        if (!held && args.result.rows.some((row) => 'ciphertext' in row)) {
          held = true;
          await gate;
        }
        return args.result;
      },
    };
    const secrets = createSecretStore({ db: t.store.db.withPlugin(holdFirstRead), key: newKey(), clock: manualClock().clock });
    await secrets.put('BEFORE', 'b');
    const early = secrets.values();
    await vi.waitFor(() => expect(held).toBe(true));
    await secrets.put('AFTER', 'a');
    release();
    expect(await early).toEqual({ BEFORE: 'b' });
    expect(await secrets.values()).toEqual({ BEFORE: 'b', AFTER: 'a' });
  });

  it('shares one read among concurrent callers', async () => {
    const secrets = createSecretStore({ db: t.store.db, key: newKey(), clock: manualClock().clock });
    await secrets.put('SHARED', 's');
    const [a, b] = await Promise.all([secrets.values(), secrets.values()]);
    expect(a).toBe(b);
  });
});
