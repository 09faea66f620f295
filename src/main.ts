import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/defaults.js';
import { createAddressPolicy } from './engine/address-policy.js';
import { createHttpPort } from './engine/http-port.js';
import { sleep, type EnginePorts } from './engine/ports.js';
import { createDefaultRegistry } from './nodes/index.js';
import { createSmtpMailPort } from './nodes/email/smtp-mail-port.js';
import { createFileStore } from './ingress/file-store.js';
import { createRequestLogger } from './ingress/request-log.js';
import { createWebhookTable } from './ingress/webhook-table.js';
import { ensureAdminToken } from './api/auth.js';
import { buildHttpServer } from './http/server.js';
import { createRecordService } from './collections/records.js';
import { createRecordsPort } from './collections/records-port.js';
import { createCollectionService } from './collections/service.js';
import { createRunner, type Runner } from './runs/runner.js';
import { createSandboxPool } from './sandbox/sandbox-pool.js';
import { loadSecretKey } from './secrets/key.js';
import { createSecretStore, type SecretStore } from './secrets/secret-store.js';
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
import { createDeduplicator } from './ingress/dedup.js';
import { createRateLimiter } from './ingress/rate-limiter.js';
import { deleteExpiredDedupKeys } from './store/dedup-keys.js';

export interface Hookflow {
  config: Config;
  store: Store;
  runner: Runner;
  service: WorkflowService;
  /** Encrypted secrets; `values()` is what runs see as `$secrets`. */
  secrets: SecretStore;
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

  // Before the store opens: a bad key stops the start with nothing to clean up.
  const secretKey = loadSecretKey({ envKey: config.secretKey, dataDir: config.dataDir, log: logger });
  const store = openStore(storeOptionsFromConfig(config));
  await migrateToLatest(store);
  const secrets = createSecretStore({ db: store.db, key: secretKey, clock });
  if (store.dialect === 'sqlite' && config.role !== 'web') {
    const requeued = await requeueAbandonedRuns(store.db);
    if (requeued > 0) logger.info({ runs: requeued }, 'resuming runs left by a stopped process');
  }

  const registry = createDefaultRegistry();
  const catalog = createWorkflowCatalog({ db: store.db, registry, logger });
  await catalog.reload();
  // Other processes may change workflows: servers sharing PostgreSQL, or `hookflow import` beside a running server.
  catalog.startPolling(2000);

  const batcher = createWriteBatcher(store);
  if (config.httpAllow !== undefined && config.httpDeny === undefined) {
    logger.warn('HOOKFLOW_HTTP_ALLOW has no effect without HOOKFLOW_HTTP_DENY (to allow only some addresses, deny 0.0.0.0/0,::/0)');
  }
  const records = createRecordService({ store, clock });
  // Worker threads start on the first `code` node, so a server without one pays nothing.
  const sandbox = createSandboxPool({
    size: config.sandboxWorkers,
    timeLimitMs: config.sandboxTimeLimitMs,
    memoryLimitMb: config.sandboxMemoryLimitMb,
    logger,
  });
  const ports: EnginePorts = {
    clock,
    logger,
    http: createHttpPort({ policy: createAddressPolicy({ deny: config.httpDeny, allow: config.httpAllow }) }),
    mail: createSmtpMailPort({ url: config.smtpUrl, from: config.smtpFrom }),
    sleep,
    records: createRecordsPort(records),
    sandbox,
  };
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
    secrets: () => secrets.values(),
  });
  const worker =
    config.role === 'web'
      ? undefined
      : createWorker({ store, runner, catalog, clock, logger, workerId, leaseMs: config.leaseMs, pollMs: config.workerPollMs });
  worker?.start();

  const service = createWorkflowService({ db: store.db, registry, catalog, clock });

  let draining = false;
  const https = options.https ?? readTlsFiles(config);
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
      collections: { collections: createCollectionService({ store, clock }), records },
      secrets,
      adminToken: config.adminToken,
      publicUrl: config.publicUrl,
      version: VERSION,
      ...(https ? { https } : {}),
      timeouts: { headersMs: config.headersTimeoutMs, requestMs: config.requestTimeoutMs },
      clock,
      webhook: {
        table: createWebhookTable(catalog, logger),
        requestLog: createRequestLogger(batcher, () => clock.now()),
        saveFile: (file) => fileStore.save(file),
        maxBodyBytes: config.maxBodyBytes,
        defaultWorkflowBodyBytes: config.defaultWorkflowBodyBytes,
        defaultSyncTimeoutMs: config.syncTimeoutMs,
        maxSyncRuns: config.maxSyncRuns,
        secrets: () => secrets.values(),
        dedup: createDeduplicator(store.db),
        rateLimiter: createRateLimiter(),
        trustedProxies: config.trustProxy,
        now: () => clock.now(),
        draining: () => draining,
      },
    });
    url = await app.listen({ port: config.port, host: config.host });
    logger.info({ url, store: store.location, role: config.role }, 'Hookflow is listening');
  } else {
    logger.info({ store: store.location, role: config.role, workerId }, 'Hookflow worker is running');
  }

  const retention = setInterval(() => {
    if (config.requestLogRetentionDays === 0) return;
    const cutoff = new Date(clock.now().getTime() - config.requestLogRetentionDays * 86_400_000);
    deleteRequestsBefore(store.db, cutoff).catch((err) => logger.warn({ err }, 'request log retention failed'));
    deleteExpiredDedupKeys(store.db, clock.now().toISOString()).catch((err) => logger.warn({ err }, 'dedup key cleanup failed'));
  }, 3_600_000);
  retention.unref();

  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    runner,
    service,
    secrets,
    app,
    url,
    close() {
      closing ??= (async () => {
        draining = true;
        clearInterval(retention);
        await worker?.stop();
        await Promise.all([app?.close(), runner.shutdown(config.shutdownGraceMs)]);
        // After the runs: those cut short at the grace period have had their scripts stopped.
        await sandbox.close();
        catalog.stop();
        await batcher.drain();
        await store.close();
      })();
      return closing;
    },
  };
}

/** `HOOKFLOW_TLS_CERT` + `HOOKFLOW_TLS_KEY`: both or neither. */
function readTlsFiles(config: Config): { cert: Buffer; key: Buffer } | undefined {
  if (!config.tlsCert && !config.tlsKey) return undefined;
  if (!config.tlsCert || !config.tlsKey) throw new Error('HOOKFLOW_TLS_CERT and HOOKFLOW_TLS_KEY go together: set both to serve HTTPS');
  return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
}
