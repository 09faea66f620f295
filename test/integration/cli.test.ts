import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

describe.each(storeKinds)('the hookflow CLI on %s', { timeout: 60_000 }, (kind) => {
  let server: TestServer;
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...server.testStore.env, LOG_LEVEL: 'silent' },
    });

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('imports a YAML file that a running server then serves, and exports it back', async () => {
    const { stdout } = await cli('import', path.join(root, 'examples/hello.yaml'));
    expect(stdout).toMatch(/imported "Hello, webhook" as [0-9a-f-]{36} \(version 1\)/);
    const id = /as ([0-9a-f-]{36})/.exec(stdout)![1]!;

    // The running server notices the new workflow without a restart.
    await expect
      .poll(async () => (await server.call('POST', '/api/webhooks/hello/ada', { body: '{"amount": 250}', headers: { 'content-type': 'application/json' } })).status, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(200);

    const exported = await cli('export', id);
    const definition = parseYaml(exported.stdout) as { title: string; trigger: { path: string }; nodes: unknown[] };
    expect(definition).toMatchObject({ title: 'Hello, webhook', trigger: { path: 'hello/:name' }, enabled: true });
    const asJson = JSON.parse((await cli('export', id, '--json')).stdout);
    expect(asJson).toEqual(definition);
  });

  it('migrates: a database already at the latest schema is left as it is', async () => {
    const { stdout } = await cli('migrate');
    expect(stdout.trim()).toBe('the schema is up to date');
  });

  it('reports every problem of an invalid file and exits non-zero', async () => {
    const failure = await cli('import', path.join(root, 'package.json')).catch((err: { code: number; stderr: string }) => err);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/problem/);
    expect((failure as { stderr: string }).stderr).toMatch(/trigger/);
  });
});

describe('hookflow migrate on a new data folder', () => {
  it('applies every migration, in order, once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hookflow-migrate-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, HOOKFLOW_DATA_DIR: dir, LOG_LEVEL: 'silent' };
      delete env.DATABASE_URL;
      const migrate = () => run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'migrate'], { cwd: root, env });
      const first = await migrate();
      expect(first.stdout.trim()).toMatch(/^applied: 001-initial, 002-collections, 003-secrets, 004-dedup, 005-execution-jobs$/);
      expect((await migrate()).stdout.trim()).toBe('the schema is up to date');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
