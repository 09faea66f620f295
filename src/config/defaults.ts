/**
 * Every option Hookflow reads, with its environment variable, default and
 * meaning kept together. `docs/configuration.md` is written from this list and
 * a test keeps the two in step.
 */
import { parseRange } from '../engine/address-policy.js';
import { decodeSecretKey } from '../secrets/key.js';
import { parseTrustProxy } from '../verify/ip-allow.js';

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
  /** Outbound addresses (CIDRs) nodes may not connect to; unset denies nothing. */
  httpDeny: readonly string[] | undefined;
  /** Exceptions to `httpDeny`: allow wins. */
  httpAllow: readonly string[] | undefined;
  /** Default SMTP server for `email` nodes, e.g. `smtps://user:pass@smtp.example.com`. */
  smtpUrl: string | undefined;
  /** Default sender for `email` nodes. */
  smtpFrom: string | undefined;
  /** Worker threads running `code` nodes' scripts: how many scripts run at once. */
  sandboxWorkers: number;
  /** Default time limit of a `code` node's script, in ms. */
  sandboxTimeLimitMs: number;
  /** Default memory limit of a `code` node's script, in MiB. */
  sandboxMemoryLimitMb: number;
  /** Key for secrets at rest (32 bytes, hex or base64); unset: `secret.key` in the data folder. */
  secretKey: string | undefined;
  /** CIDRs of proxies whose `X-Forwarded-For` is believed. */
  trustProxy: readonly string[];
  /** Sync runs one process works on at once before answering 503. */
  maxSyncRuns: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
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
/** Comma-separated CIDRs (or single addresses); empty means unset. Checked here so a typo stops the start. */
const cidrList = (name: string) => (raw: string): readonly string[] | undefined => {
  const list = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const bad = list.find((item) => parseRange(item) === undefined);
  if (bad !== undefined) throw new Error(`${name}: "${bad}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, fc00::/7)`);
  return list.length === 0 ? undefined : list;
};
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
  httpDeny: {
    env: 'HOOKFLOW_HTTP_DENY',
    default: undefined,
    parse: cidrList('HOOKFLOW_HTTP_DENY'),
    doc: 'Comma-separated CIDRs that `http` and `notify` nodes may not connect to, checked on the address actually connected to. Unset: nothing is denied. See "Outbound address policy" below for a recommended list.',
  },
  httpAllow: {
    env: 'HOOKFLOW_HTTP_ALLOW',
    default: undefined,
    parse: cidrList('HOOKFLOW_HTTP_ALLOW'),
    doc: 'Comma-separated CIDRs allowed even when `HOOKFLOW_HTTP_DENY` matches (allow wins). Has no effect without a deny list.',
  },
  smtpUrl: {
    env: 'HOOKFLOW_SMTP_URL',
    default: undefined,
    parse: optionalText,
    doc: 'SMTP server for `email` nodes: `smtp://host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`. A node\'s `smtp.url` wins.',
  },
  smtpFrom: {
    env: 'HOOKFLOW_SMTP_FROM',
    default: undefined,
    parse: optionalText,
    doc: 'Sender for `email` nodes that set neither `from` nor `smtp.from`, e.g. `Hookflow <hooks@example.com>`.',
  },
  sandboxWorkers: {
    env: 'HOOKFLOW_SANDBOX_WORKERS',
    default: 2,
    parse: int('HOOKFLOW_SANDBOX_WORKERS'),
    doc: 'Worker threads that run `code` nodes (QuickJS): how many scripts run at once; more wait their turn. At least 1.',
  },
  sandboxTimeLimitMs: {
    env: 'HOOKFLOW_SANDBOX_TIME_LIMIT_MS',
    default: 1000,
    parse: int('HOOKFLOW_SANDBOX_TIME_LIMIT_MS'),
    doc: 'Time limit of a `code` node\'s script, unless the node sets `timeLimitMs`.',
  },
  sandboxMemoryLimitMb: {
    env: 'HOOKFLOW_SANDBOX_MEMORY_LIMIT_MB',
    default: 64,
    parse: int('HOOKFLOW_SANDBOX_MEMORY_LIMIT_MB'),
    doc: 'Memory limit of a `code` node\'s script in MiB (at least 16), unless the node sets `memoryLimitMb`.',
  },
  secretKey: {
    env: 'HOOKFLOW_SECRET_KEY',
    default: undefined,
    parse: (raw) => {
      if (raw.trim() === '') return undefined;
      decodeSecretKey(raw, 'HOOKFLOW_SECRET_KEY'); // a malformed key stops the start here; the error never echoes it
      return raw;
    },
    doc: 'Key that encrypts stored secrets: 32 random bytes as base64 or hex (`openssl rand -base64 32`). Unset: the key file `secret.key` in the data folder, created with mode 0600 at first start. See [Secrets at rest](security.md#secrets-at-rest).',
  },
  trustProxy: {
    env: 'HOOKFLOW_TRUST_PROXY',
    default: [],
    parse: (raw) => parseTrustProxy(raw),
    doc: 'Comma-separated CIDRs (or `loopback`, `private`, `linklocal`) of the proxies in front of Hookflow: only from these peers is `X-Forwarded-For` believed, for `allowIps` and the request log. Empty: the TCP peer is the client.',
  },
  maxSyncRuns: {
    env: 'HOOKFLOW_MAX_SYNC_RUNS',
    default: 512,
    parse: int('HOOKFLOW_MAX_SYNC_RUNS'),
    doc: 'Sync runs one process works on at once; more sync calls get `503` with `Retry-After` until some finish.',
  },
  headersTimeoutMs: {
    env: 'HOOKFLOW_HEADERS_TIMEOUT_MS',
    default: 10_000,
    parse: int('HOOKFLOW_HEADERS_TIMEOUT_MS'),
    doc: 'A client that has not sent all request headers in this time is disconnected (slow-loris guard).',
  },
  requestTimeoutMs: {
    env: 'HOOKFLOW_REQUEST_TIMEOUT_MS',
    default: 30_000,
    parse: int('HOOKFLOW_REQUEST_TIMEOUT_MS'),
    doc: 'A client that has not sent the whole request (headers and body) in this time gets `408` and is disconnected.',
  },
  tlsCert: { env: 'HOOKFLOW_TLS_CERT', default: undefined, parse: optionalText, doc: 'Path of a PEM certificate (chain): with `HOOKFLOW_TLS_KEY`, serve HTTPS.' },
  tlsKey: { env: 'HOOKFLOW_TLS_KEY', default: undefined, parse: optionalText, doc: 'Path of the PEM private key for `HOOKFLOW_TLS_CERT`.' },
};

export const defaults = Object.fromEntries(
  Object.entries(options).map(([key, spec]) => [key, spec.default]),
) as unknown as Config;
