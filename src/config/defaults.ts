/**
 * Every option Hookflow reads, with its environment variable, default and
 * meaning kept together. `docs/configuration.md` is written from this list and
 * a test keeps the two in step.
 */
export type Role = 'all' | 'web' | 'worker';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  publicUrl: string | undefined;
  role: Role;
  logLevel: string;
  /** Global ceiling on any request body, in bytes; a workflow's `maxBodyBytes` may only lower it. */
  maxBodyBytes: number;
  /** Default `trigger.maxBodyBytes` when a workflow does not set one. */
  defaultWorkflowBodyBytes: number;
  /** Default `trigger.timeoutMs` for sync runs. */
  syncTimeoutMs: number;
  workerConcurrency: number;
  workerPollMs: number;
  /** How long a claimed run stays claimed without a heartbeat before another worker may take it over. */
  leaseMs: number;
  /** How long SIGTERM waits for in-flight runs before handing them back to the queue. */
  shutdownGraceMs: number;
  requestLogRetentionDays: number;
}

export interface OptionSpec<K extends keyof Config> {
  env: string;
  default: Config[K];
  parse: (raw: string) => Config[K];
  doc: string;
}

const int = (name: string) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
};
const text = (raw: string) => raw;
const optionalText = (raw: string): string | undefined => (raw === '' ? undefined : raw);
const role = (raw: string): Role => {
  if (raw === 'all' || raw === 'web' || raw === 'worker') return raw;
  throw new Error(`HOOKFLOW_ROLE must be all, web or worker, got "${raw}"`);
};

export const options: { [K in keyof Config]: OptionSpec<K> } = {
  port: { env: 'PORT', default: 3000, parse: int('PORT'), doc: 'TCP port to listen on.' },
  host: { env: 'HOST', default: '0.0.0.0', parse: text, doc: 'Address to listen on.' },
  dataDir: { env: 'HOOKFLOW_DATA_DIR', default: './data', parse: text, doc: 'Folder for the SQLite database and uploaded files.' },
  databaseUrl: {
    env: 'DATABASE_URL',
    default: undefined,
    parse: optionalText,
    doc: 'A `postgres://` URL selects PostgreSQL; unset means SQLite in the data folder.',
  },
  adminToken: {
    env: 'HOOKFLOW_ADMIN_TOKEN',
    default: undefined,
    parse: optionalText,
    doc: 'Bearer token for the management API. Unset: the first start creates one, stores its hash and prints it once.',
  },
  publicUrl: {
    env: 'HOOKFLOW_PUBLIC_URL',
    default: undefined,
    parse: optionalText,
    doc: 'Base URL used to build `webhookUrls` (e.g. `https://hooks.example.com`); unset means the request\'s own host.',
  },
  role: { env: 'HOOKFLOW_ROLE', default: 'all', parse: role, doc: '`all` serves HTTP and runs workers; `web` only serves; `worker` only runs queued runs.' },
  logLevel: { env: 'LOG_LEVEL', default: 'info', parse: text, doc: 'pino log level: trace, debug, info, warn, error, silent.' },
  maxBodyBytes: { env: 'HOOKFLOW_MAX_BODY_BYTES', default: 16 * 1024 * 1024, parse: int('HOOKFLOW_MAX_BODY_BYTES'), doc: 'Global ceiling on request bodies, in bytes.' },
  defaultWorkflowBodyBytes: {
    env: 'HOOKFLOW_DEFAULT_WORKFLOW_BODY_BYTES',
    default: 1024 * 1024,
    parse: int('HOOKFLOW_DEFAULT_WORKFLOW_BODY_BYTES'),
    doc: 'Body limit for workflows that do not set `trigger.maxBodyBytes`.',
  },
  syncTimeoutMs: { env: 'HOOKFLOW_SYNC_TIMEOUT_MS', default: 10_000, parse: int('HOOKFLOW_SYNC_TIMEOUT_MS'), doc: 'Default `trigger.timeoutMs` for sync runs.' },
  workerConcurrency: { env: 'HOOKFLOW_WORKER_CONCURRENCY', default: 16, parse: int('HOOKFLOW_WORKER_CONCURRENCY'), doc: 'Queued runs one process executes at once.' },
  workerPollMs: { env: 'HOOKFLOW_WORKER_POLL_MS', default: 500, parse: int('HOOKFLOW_WORKER_POLL_MS'), doc: 'How often idle workers look for queued runs (new local runs wake them at once).' },
  leaseMs: { env: 'HOOKFLOW_LEASE_MS', default: 30_000, parse: int('HOOKFLOW_LEASE_MS'), doc: 'A claimed run not renewed for this long is taken over by another worker.' },
  shutdownGraceMs: { env: 'HOOKFLOW_SHUTDOWN_GRACE_MS', default: 10_000, parse: int('HOOKFLOW_SHUTDOWN_GRACE_MS'), doc: 'On SIGTERM, how long in-flight runs may finish before they are handed back to the queue.' },
  requestLogRetentionDays: {
    env: 'HOOKFLOW_REQUEST_LOG_RETENTION_DAYS',
    default: 30,
    parse: int('HOOKFLOW_REQUEST_LOG_RETENTION_DAYS'),
    doc: 'Request-log entries older than this are deleted (0 keeps them forever).',
  },
};

export const defaults = Object.fromEntries(
  Object.entries(options).map(([key, spec]) => [key, spec.default]),
) as unknown as Config;
