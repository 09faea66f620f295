import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/defaults.js';
import { createHttpPort } from './engine/http-port.js';
import { sleep, type EnginePorts } from './engine/ports.js';
import { createDefaultRegistry } from './nodes/index.js';
import { createFileStore } from './ingress/file-store.js';
import { createRequestLogger } from './ingress/request-log.js';
import { createWebhookTable } from './ingress/webhook-table.js';
import { ensureAdminToken } from './api/auth.js';
import { buildHttpServer } from './http/server.js';
import { createRunner, type Runner } from './runs/runner.js';
import { createWorker } from './queue/worker.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { openStore, storeOptionsFromConfig, type Store } from './store/database.js';
import { requeueAbandonedRuns } from './store/executions.js';
import { migrateToLatest } from './store/migrate.js';
import { deleteRequestsBefore } from './store/requests.js';
import { createWriteBatcher } from './store/write-batcher.js';
import { createWorkflowCatalog } from './workflows/catalog.js';
import { createWorkflowService, type WorkflowService } from './workflows/service.js';

export interface Hookflow {
  config: Config;
  store: Store;
  runner: Runner;
  service: WorkflowService;
  /** Set unless the role is `worker`. */
  app: FastifyInstance | undefined;
  /** Where the server listens, e.g. `http://127.0.0.1:3000`. */
  url: string | undefined;
  /** Graceful stop: refuse new work, let runs finish for `shutdownGraceMs`, hand the rest back. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Where the one-time admin token is printed; stdout by default. */
  print?: (line: string) => void;
  https?: { cert: Buffer; key: Buffer };
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The composition root: config → store, registry, catalog → runner, worker, HTTP. */
export async function startHookflow(config: Config, options: StartOptions = {}): Promise<Hookflow> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));

  const store = openStore(storeOptionsFromConfig(config));
  await migrateToLatest(store);
  if (store.dialect === 'sqlite' && config.role !== 'web') {
    const requeued = await requeueAbandonedRuns(store.db);
    if (requeued > 0) logger.info({ runs: requeued }, 'resuming runs left by a stopped process');
  }

  const registry = createDefaultRegistry();
  const catalog = createWorkflowCatalog({ db: store.db, registry, logger });
  await catalog.reload();
  // Other processes on the same PostgreSQL may change workflows.
  if (store.dialect === 'postgres') catalog.startPolling(2000);

  const batcher = createWriteBatcher(store.db);
  const ports: EnginePorts = { clock, logger, http: createHttpPort(), sleep };
  const workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const runner = createRunner({
    store,
    batcher,
    ports,
    clock,
    logger,
    workerId,
    leaseMs: config.leaseMs,
    concurrency: config.role === 'web' ? 0 : config.workerConcurrency,
  });
  const worker =
    config.role === 'web'
      ? undefined
      : createWorker({ store, runner, catalog, clock, logger, workerId, leaseMs: config.leaseMs, pollMs: config.workerPollMs });
  worker?.start();

  const service = createWorkflowService({ db: store.db, registry, catalog, clock });

  let draining = false;
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (config.role !== 'worker') {
    const created = await ensureAdminToken(store.db, { envToken: config.adminToken, clock });
    if (created) {
      print(`Hookflow admin token (shown once, only its hash is stored): ${created}`);
    }
    const fileStore = createFileStore(path.join(config.dataDir, 'uploads'));
    app = await buildHttpServer({
      logger,
      db: store.db,
      runner,
      catalog,
      service,
      adminToken: config.adminToken,
      publicUrl: config.publicUrl,
      version: VERSION,
      ...(options.https ? { https: options.https } : {}),
      webhook: {
        table: createWebhookTable(catalog),
        requestLog: createRequestLogger(batcher, () => clock.now()),
        saveFile: (file) => fileStore.save(file),
        maxBodyBytes: config.maxBodyBytes,
        defaultWorkflowBodyBytes: config.defaultWorkflowBodyBytes,
        defaultSyncTimeoutMs: config.syncTimeoutMs,
        now: () => clock.now(),
        draining: () => draining,
      },
    });
    url = await app.listen({ port: config.port, host: config.host });
    logger.info({ url, store: store.location, role: config.role }, 'Hookflow is listening');
  }

  const retention = setInterval(() => {
    if (config.requestLogRetentionDays === 0) return;
    const cutoff = new Date(clock.now().getTime() - config.requestLogRetentionDays * 86_400_000);
    deleteRequestsBefore(store.db, cutoff).catch((err) => logger.warn({ err }, 'request log retention failed'));
  }, 3_600_000);
  retention.unref();

  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    runner,
    service,
    app,
    url,
    close() {
      closing ??= (async () => {
        draining = true;
        clearInterval(retention);
        await worker?.stop();
        await Promise.all([app?.close(), runner.shutdown(config.shutdownGraceMs)]);
        catalog.stop();
        await batcher.drain();
        await store.close();
      })();
      return closing;
    },
  };
}
