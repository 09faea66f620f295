import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/defaults.js';
import { startHookflow, type Hookflow, type StartOptions } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestStore, type StoreKind, type TestStore } from './stores.js';

export const ADMIN_TOKEN = 'test-admin-token';

export interface TestServer {
  hookflow: Hookflow;
  testStore: TestStore;
  url: string;
  /** A management API call with the admin token. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  /** A plain call to the server, no token. */
  call(method: string, path: string, init?: { body?: string | Uint8Array | FormData; headers?: Record<string, string> }): Promise<Response>;
  waitForExecution(id: string, status: string | string[], timeoutMs?: number): Promise<any>;
  createWorkflow(definition: unknown): Promise<any>;
  stop(): Promise<void>;
}

export interface TestServerOptions extends StartOptions {
  /**
   * Serve this store instead of a fresh one, e.g. one a `hookflow import`
   * subprocess has already written to through `testStore.env`. Its kind
   * must be `kind`; the server takes it over, and `stop()` cleans it up.
   */
  testStore?: TestStore;
}

/** A real Hookflow on 127.0.0.1, port 0, over a fresh store of the given kind (or `options.testStore`). */
export async function startTestServer(kind: StoreKind, overrides: Partial<Config> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const { testStore: given, ...startOptions } = options;
  if (given !== undefined && given.options.kind !== kind) throw new Error(`the given test store is ${given.options.kind}, not ${kind}`);
  const testStore = given ?? (await createTestStore(kind));
  // The server opens its own connection to the same database.
  await testStore.store.close();
  const config = loadConfig(testStore.env, {
    port: 0,
    host: '127.0.0.1',
    adminToken: ADMIN_TOKEN,
    logLevel: 'silent',
    workerPollMs: 50,
    ...overrides,
  });
  const hookflow = await startHookflow(config, { logger: createLogger({ level: 'silent' }), print: () => {}, ...startOptions });
  const url = hookflow.url!;

  const call: TestServer['call'] = (method, path, init = {}) =>
    fetch(`${url}${path}`, { method, headers: init.headers, body: init.body as RequestInit["body"] });

  const api: TestServer['api'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  return {
    hookflow,
    testStore,
    url,
    api,
    call,
    async waitForExecution(id, status, timeoutMs = 10_000) {
      const wanted = Array.isArray(status) ? status : [status];
      const deadline = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < deadline) {
        const { status: code, body } = await api('GET', `/api/executions/${id}`);
        if (code === 200) {
          last = body;
          if (wanted.includes(body.status)) return body;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`execution ${id} did not reach ${wanted.join('|')} in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
    },
    async createWorkflow(definition) {
      const { status, body } = await api('POST', '/api/workflows', definition);
      if (status !== 201) throw new Error(`creating the workflow failed: ${status} ${JSON.stringify(body)}`);
      return body;
    },
    async stop() {
      await hookflow.close();
      const reopened = await import('../../src/store/database.js');
      testStore.store = reopened.openStore(testStore.options);
      await testStore.cleanup();
    },
  };
}
