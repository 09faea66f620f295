import { AddressRefusedError } from '../../engine/guarded-connector.js';
import type { EnginePorts, HttpPortResponse } from '../../engine/ports.js';
import { HookflowError, PermanentFailure, RetryLater } from '../../shared/errors.js';
import { isOkStatus, type OkStatus } from './ok-status.js';
import { decodeBody } from './response-body.js';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after.js';

export interface HttpCall {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
  okStatus?: OkStatus | undefined;
  /**
   * How messages name the call. Default `METHOD origin/path`: never the query
   * string, which often carries tokens. Callers whose path is a secret (a
   * Slack webhook URL) pass their own.
   */
  target?: string;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * One HTTP call through `ports.http`, with failures classed for the
 * engine's single retry loop (the node's `retry` field): network errors and
 * 5xx/408/429 may be retried — after at least `Retry-After` when the answer
 * has one ({@link RetryLater}) — other statuses, refused addresses and a
 * `Retry-After` beyond {@link MAX_RETRY_AFTER_MS} are permanent.
 */
export async function callHttp(ctx: { ports: EnginePorts; signal: AbortSignal }, call: HttpCall): Promise<HttpResult> {
  const target = call.target ?? `${call.method} ${call.url.origin}${call.url.pathname}`;
  let res: HttpPortResponse;
  try {
    res = await ctx.ports.http.request({ method: call.method, url: call.url.toString(), headers: call.headers, body: call.body, signal: ctx.signal });
  } catch (cause) {
    const refused = findRefusal(cause);
    if (refused !== undefined) {
      throw new PermanentFailure('node_failed', `${target} refused: ${refused.message}`, {
        cause, details: { address: refused.address, rule: refused.rule },
      });
    }
    throw new HookflowError('node_failed', `${target} failed: ${describe(cause)}`, { cause });
  }
  const result = { status: res.status, headers: res.headers, body: decodeBody(res, target) };
  if (isOkStatus(res.status, call.okStatus)) return result;
  const details: Record<string, unknown> = { status: res.status, body: excerpt(result.body) };
  const message = `${target} answered ${res.status}`;
  if (!(res.status >= 500 || res.status === 408 || res.status === 429)) throw new PermanentFailure('node_failed', message, { details });
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'], ctx.ports.clock.now());
  if (retryAfterMs === undefined) throw new HookflowError('node_failed', message, { details });
  details.retryAfterMs = retryAfterMs;
  if (retryAfterMs > MAX_RETRY_AFTER_MS) {
    throw new PermanentFailure('node_failed', `${message} and asks to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After), longer than the ${MAX_RETRY_AFTER_MS / 1000} s Hookflow waits`, { details });
  }
  throw new RetryLater('node_failed', `${message} (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`, { details, retryAfterMs });
}

/** An absolute http(s) URL, or undefined. */
export function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Error details are stored with the job and shown in the UI: keep at most ~2 KB of the body. */
const EXCERPT_CHARS = 2_000;

function excerpt(body: unknown): unknown {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (text.length <= EXCERPT_CHARS) return body;
  return `${text.slice(0, EXCERPT_CHARS)}… (${text.length} characters)`;
}

/** undici may hand a connector's error on as the `cause` of its own. */
function findRefusal(error: unknown): AddressRefusedError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof AddressRefusedError) return e;
  }
  return undefined;
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // Node's fetch-style errors say only "fetch failed"; the useful part is the cause.
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
