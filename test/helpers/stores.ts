import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openStore, type Store, type StoreOptions } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export type StoreKind = 'sqlite' | 'postgres';

/** The PostgreSQL the tests use; override with TEST_DATABASE_URL. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let postgresReachable: Promise<boolean> | undefined;

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: testPostgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Which stores this machine can test. Under CI=true PostgreSQL MUST be
 * there: an unreachable server fails the run instead of skipping it.
 */
export async function availableStoreKinds(): Promise<StoreKind[]> {
  postgresReachable ??= probePostgres();
  if (await postgresReachable) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI=true but ${testPostgresUrl} is unreachable`);
  console.warn(`PostgreSQL at ${testPostgresUrl} is unreachable: its tests are skipped (set TEST_DATABASE_URL to point at one)`);
  return ['sqlite'];
}

export const storeKinds: StoreKind[] = await availableStoreKinds();

export interface TestStore {
  store: Store;
  options: StoreOptions;
  /** Environment that points a Hookflow process at this same database. */
  env: Record<string, string>;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** A fresh, migrated database: a temporary SQLite file, or a new PostgreSQL schema. */
export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hookflow-test-'));
  if (kind === 'sqlite') {
    const options: StoreOptions = { kind: 'sqlite', file: path.join(dataDir, 'hookflow.db') };
    const store = openStore(options);
    await migrateToLatest(store);
    const testStore: TestStore = {
      store,
      options,
      dataDir,
      env: { HOOKFLOW_DATA_DIR: dataDir },
      async cleanup() {
        await testStore.store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return testStore;
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const options: StoreOptions = { kind: 'postgres', url: testPostgresUrl, schema };
  const store = openStore(options);
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  await migrateToLatest(store);
  const url = new URL(testPostgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const testStore: TestStore = {
    store,
    options,
    dataDir,
    env: { HOOKFLOW_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    async cleanup() {
      await testStore.store.close();
      const client = new pg.Client({ connectionString: testPostgresUrl });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testStore;
}

