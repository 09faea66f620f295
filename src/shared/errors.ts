/**
 * Every error Hookflow reports has a stable code, an HTTP status and a fault
 * category (who has to act: the caller, the operator, or us). `docs/errors.md`
 * lists every code in `errorCatalog`; a test keeps the two in step.
 */
export type Fault = 'client' | 'operational' | 'unexpected';

export const errorCatalog = {
  bad_request: { status: 400, fault: 'client', doc: 'The request is malformed; the message says what and where.' },
  invalid_definition: { status: 400, fault: 'client', doc: 'A workflow definition failed validation; `details` lists each problem with its path.' },
  malformed_body: { status: 400, fault: 'client', doc: 'A webhook body could not be parsed as its content type says.' },
  unauthorized: { status: 401, fault: 'client', doc: 'Missing or wrong bearer token or webhook credentials.' },
  forbidden: { status: 403, fault: 'client', doc: 'The caller is not allowed to do this.' },
  not_found: { status: 404, fault: 'client', doc: 'No such resource, webhook path, or the workflow is disabled.' },
  method_not_allowed: { status: 405, fault: 'client', doc: 'The webhook does not accept this method; `Allow` lists the ones it does.' },
  conflict: { status: 409, fault: 'client', doc: 'The change conflicts with existing state (a path already taken, a run not retryable).' },
  payload_too_large: { status: 413, fault: 'client', doc: 'The body is larger than the workflow\'s `maxBodyBytes` or the global ceiling.' },
  rate_limited: { status: 429, fault: 'client', doc: 'Too many requests; retry after `Retry-After` seconds.' },
  run_failed: { status: 500, fault: 'client', doc: 'A sync run failed; the message names the failing node.' },
  internal: { status: 500, fault: 'unexpected', doc: 'A bug in Hookflow; the log has the stack.' },
  unavailable: { status: 503, fault: 'operational', doc: 'The server is shutting down or overloaded; retry after `Retry-After` seconds.' },
  expression_error: { status: 500, fault: 'client', doc: 'An expression failed at run time (unknown function, budget exceeded, bad operand).' },
  node_timeout: { status: 500, fault: 'client', doc: 'A node ran past its `timeoutMs`, or a `code` node\'s script past its time limit.' },
  node_failed: { status: 500, fault: 'client', doc: 'A node reported a failure (an HTTP call with a non-OK status, a network error).' },
  script_error: { status: 500, fault: 'client', doc: 'A `code` node\'s script threw, did not compile, or returned a value that is not JSON; the message is the script\'s own, with its line.' },
  script_memory_limit: { status: 500, fault: 'client', doc: 'A `code` node\'s script ran out of memory (its `memoryLimitMb`).' },
  secret_unreadable: { status: 500, fault: 'operational', doc: 'A stored secret could not be decrypted: the secret key is not the one it was stored with (`HOOKFLOW_SECRET_KEY`, `secret.key`), or the row was altered. See docs/security.md.' },
} as const satisfies Record<string, { status: number; fault: Fault; doc: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface HookflowErrorOptions {
  status?: number;
  fault?: Fault;
  cause?: unknown;
  details?: unknown;
  headers?: Record<string, string>;
  /** Why, for the request log and server logs only: never sent to the caller (e.g. which signature check failed). */
  reason?: string;
}

export class HookflowError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fault: Fault;
  readonly details: unknown;
  readonly headers: Record<string, string> | undefined;
  readonly reason: string | undefined;

  constructor(code: ErrorCode, message: string, options: HookflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HookflowError';
    this.code = code;
    this.status = options.status ?? errorCatalog[code].status;
    this.fault = options.fault ?? errorCatalog[code].fault;
    this.details = options.details;
    this.headers = options.headers;
    this.reason = options.reason;
  }

  toJSON(): ErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

/**
 * Thrown by a node (or the engine on its behalf) to skip the remaining retry
 * attempts: the failure will not go away by trying again.
 */
export class PermanentFailure extends HookflowError {}

/**
 * Thrown by a node whose failure may pass, but not before `retryAfterMs`
 * (an HTTP `Retry-After`): the engine waits at least that long before the
 * next attempt, when `retry` allows one.
 */
export class RetryLater extends HookflowError {
  readonly retryAfterMs: number;

  constructor(code: ErrorCode, message: string, options: HookflowErrorOptions & { retryAfterMs: number }) {
    super(code, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** A plain, JSON-safe record of an error, as stored on jobs and executions. */
export interface ErrorRecord {
  code: string;
  message: string;
  nodeKey?: string;
  details?: unknown;
}

export function toErrorRecord(err: unknown, nodeKey?: string): ErrorRecord {
  const record: ErrorRecord =
    err instanceof HookflowError
      ? { code: err.code, message: err.message }
      : { code: 'internal', message: err instanceof Error ? err.message : String(err) };
  if (err instanceof HookflowError && err.details !== undefined) record.details = err.details;
  if (nodeKey !== undefined) record.nodeKey = nodeKey;
  return record;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
