import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startHookflow } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { openStore } from '../../src/store/database.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';
import { createTestStore, storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('secrets API on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('stores, lists, replaces and deletes a secret without ever returning its value', async () => {
    const value = `value-${randomBytes(8).toString('hex')}`;
    const put = await s.api('PUT', '/api/secrets/GITHUB_WEBHOOK_SECRET', { value });
    expect(put.status).toBe(204);
    expect(put.body).toBeUndefined();

    const list = await s.api('GET', '/api/secrets');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([{ name: 'GITHUB_WEBHOOK_SECRET', createdAt: expect.any(String), updatedAt: expect.any(String) }]);
    expect(JSON.stringify(list.body)).not.toContain(value);
    expect((await s.hookflow.secrets.values()).GITHUB_WEBHOOK_SECRET).toBe(value);

    const replaced = `replaced-${randomBytes(8).toString('hex')}`;
    expect((await s.api('PUT', '/api/secrets/GITHUB_WEBHOOK_SECRET', { value: replaced })).status).toBe(204);
    const after = (await s.api('GET', '/api/secrets')).body.items[0];
    expect(after.createdAt).toBe(list.body.items[0].createdAt);
    expect(after.updatedAt >= after.createdAt).toBe(true);
    expect((await s.hookflow.secrets.values()).GITHUB_WEBHOOK_SECRET).toBe(replaced);

    // No GET route for one secret: its value has no way out.
    expect((await s.api('GET', '/api/secrets/GITHUB_WEBHOOK_SECRET')).status).toBe(404);
    const openapi = await s.api('GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.paths['/api/secrets/{name}'])).toEqual(['put', 'delete']);

    expect((await s.api('DELETE', '/api/secrets/GITHUB_WEBHOOK_SECRET')).status).toBe(204);
    expect((await s.api('GET', '/api/secrets')).body.items).toEqual([]);
    const again = await s.api('DELETE', '/api/secrets/GITHUB_WEBHOOK_SECRET');
    expect(again.status).toBe(404);
    expect(again.body.error).toEqual({ code: 'not_found', message: 'secret GITHUB_WEBHOOK_SECRET does not exist' });
  });

  it('keeps only ciphertext in the database, under a 0600 key file in the data folder', async () => {
    const value = `plain-${randomBytes(8).toString('hex')}`;
    await s.api('PUT', '/api/secrets/DB_CHECK', { value });
    const rows = (await sql<Record<string, unknown>>`select * from secrets`.execute(s.hookflow.store.db)).rows;
    expect(JSON.stringify(rows)).not.toContain(value);
    expect(rows.find((row) => row.name === 'DB_CHECK')?.ciphertext).toMatch(/^v1:[0-9a-f]{8}:/);
    const keyFile = path.join(s.testStore.dataDir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await s.api('DELETE', '/api/secrets/DB_CHECK');
  });

  it('answers 401 without a token', async () => {
    expect((await s.call('GET', '/api/secrets')).status).toBe(401);
    expect((await s.call('PUT', '/api/secrets/X_TOKEN', { body: '{"value":"abcdef"}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect((await s.call('DELETE', '/api/secrets/X_TOKEN')).status).toBe(401);
    expect((await s.call('GET', '/api/secrets', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await s.api('GET', '/api/secrets')).body.items.map((i: { name: string }) => i.name)).not.toContain('X_TOKEN');
  });

  it('refuses bad names and bodies with 400', async () => {
    for (const name of ['lower', '1ABC', 'A-B', '_A', 'A'.repeat(129), '%C3%84BC']) {
      const res = await s.api('PUT', `/api/secrets/${name}`, { value: 'abcdef' });
      expect(res.status, name).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.message).toMatch(/is not a secret name: use an uppercase letter, then uppercase letters, digits and _ \(at most 128 characters\)/);
      expect((await s.api('DELETE', `/api/secrets/${name}`)).status, name).toBe(400);
    }
    for (const body of [{}, { value: '' }, { value: { nested: 'x' } }, { value: 'x'.repeat(65_537) }, 'not json']) {
      const res = await s.api('PUT', '/api/secrets/VALID_NAME', body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect((await s.api('GET', '/api/secrets')).body.items).toEqual([]);
  });
});

describe.each(storeKinds)('secrets across restarts on %s', (kind) => {
  it('reuses the key file, and HOOKFLOW_SECRET_KEY wins over it', async () => {
    const testStore = await createTestStore(kind);
    await testStore.store.close();
    const start = (env: Record<string, string> = {}) =>
      startHookflow(loadConfig({ ...testStore.env, ...env }, { port: 0, host: '127.0.0.1', adminToken: ADMIN_TOKEN, logLevel: 'silent' }), {
        logger: createLogger({ level: 'silent' }),
        print: () => {},
      });
    try {
      const first = await start();
      await first.secrets.put('KEPT', 'kept-value');
      await first.close();

      const second = await start();
      expect(await second.secrets.values()).toEqual({ KEPT: 'kept-value' });
      await second.close();
      const keyFile = path.join(testStore.dataDir, 'secret.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      // Another key from the environment: the key file is ignored, the stored secret does not decrypt.
      const third = await start({ HOOKFLOW_SECRET_KEY: randomBytes(32).toString('base64') });
      await expect(third.secrets.values()).rejects.toMatchObject({ code: 'secret_unreadable', message: expect.stringContaining('(from HOOKFLOW_SECRET_KEY)') });
      await third.close();
    } finally {
      testStore.store = openStore(testStore.options);
      await testStore.cleanup();
    }
  });

  it('creates no key file when HOOKFLOW_SECRET_KEY is set', async () => {
    const key = randomBytes(32).toString('hex');
    const s = await startTestServer(kind, { secretKey: key });
    try {
      expect((await s.api('PUT', '/api/secrets/FROM_ENV', { value: 'env-keyed' })).status).toBe(204);
      expect(existsSync(path.join(s.testStore.dataDir, 'secret.key'))).toBe(false);
      expect(await s.hookflow.secrets.values()).toEqual({ FROM_ENV: 'env-keyed' });
    } finally {
      await s.stop();
    }
  });
});
