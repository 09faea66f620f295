import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse as parseQuery } from 'fast-querystring';
import type { LiveWorkflow } from '../workflows/catalog.js';
import type { TriggerContext, HttpReply } from '../engine/run.js';
import type { Runner } from '../runs/runner.js';
import { HookflowError, type ErrorCode } from '../shared/errors.js';
import { isoFormatter } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { RequestOutcome } from '../store/requests.js';
import { clientIp } from '../verify/ip-allow.js';
import type { RouteTable } from './route-table.js';
import { parseBody, type SaveFile } from './body.js';
import type { Deduplicator } from './dedup.js';
import type { RateLimiter } from './rate-limiter.js';
import { readBody } from './read-body.js';
import { flattenHeaders } from './redact.js';
import type { RequestLogger } from './request-log.js';
import { checkClientAddress, checkSender, handshake } from './sender-checks.js';
import { writeReply } from './write-reply.js';

export const WEBHOOK_PREFIX = '/api/webhooks/';

export interface WebhookDeps {
  table: () => RouteTable<LiveWorkflow>;
  runner: Runner;
  requestLog: RequestLogger;
  saveFile: SaveFile;
  secrets: () => Promise<Readonly<Record<string, string>>>;
  dedup: Deduplicator;
  rateLimiter: RateLimiter;
  /** CIDRs whose `X-Forwarded-For` is believed (`HOOKFLOW_TRUST_PROXY`). */
  trustedProxies: readonly string[];
  /** Global ceiling; a workflow's `maxBodyBytes` may only lower it. */
  maxBodyBytes: number;
  defaultWorkflowBodyBytes: number;
  defaultSyncTimeoutMs: number;
  /** Sync runs this process works on at once; past it, 503 with `Retry-After`. */
  maxSyncRuns: number;
  now: () => Date;
  /** True while shutting down: new webhook calls get 503. */
  draining: () => boolean;
  logger: Logger;
}

export type WebhookHandler = (request: IncomingMessage, response: ServerResponse) => void;

const outcomeByCode: Partial<Record<ErrorCode, RequestOutcome>> = {
  not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
  payload_too_large: 'too_large',
  malformed_body: 'bad_request',
  bad_request: 'bad_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  rate_limited: 'rate_limited',
  unavailable: 'unavailable',
};

/** One webhook request on its way through: one shape for every call. */
class WebhookCall {
  readonly startedAt = performance.now();
  /** The request log entry's id; the execution refers to it. */
  readonly id = newId();
  readonly path: string;
  readonly search: string;
  live: LiveWorkflow | undefined = undefined;
  /** Body bytes read so far, for the log. */
  bodyBytes = 0;
  /** Set once the body could not be read in full: the rest of the connection cannot be trusted. */
  closeConnection = false;
  private clientIp: string | undefined = undefined;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    private readonly trustedProxies: readonly string[],
  ) {
    const url = request.url!;
    const query = url.indexOf('?');
    this.path = query === -1 ? url : url.slice(0, query);
    this.search = query === -1 ? '' : url.slice(query + 1);
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  get ip(): string {
    if (this.clientIp === undefined) {
      const peer = this.request.socket.remoteAddress ?? '';
      // No trusted proxy: the peer is the client, and parsing it is wasted work on every call.
      this.clientIp =
        this.trustedProxies.length === 0 && !peer.includes(':')
          ? peer
          : clientIp({ peer, forwardedFor: this.request.headers['x-forwarded-for'], trustedProxies: this.trustedProxies });
    }
    return this.clientIp;
  }
}

/** What the request log takes beside outcome and status. */
interface LogFields {
  bodyBytes: number;
  /** Already flattened for `$context.headers`; read off the request when absent (the log redacts its own copy). */
  headers?: Record<string, string>;
  executionId?: string | null;
  reason?: string | null;
}

/**
 * The public webhook endpoint: `ANY /api/webhooks/<key or path>`, served
 * straight from node:http (server.ts sends it every URL under the prefix).
 * The hot path of the whole server: Fastify's request, reply, hooks and
 * parser machinery cost ~13 µs a call, ~8% of a recorded sync call
 * (docs/benchmarks.md), and this endpoint uses none of its features.
 *
 * In order: lookup, client address, rate limit and declared size before a
 * byte of the body is read; then the raw bytes are verified, parsed,
 * deduplicated, and run or queued. Every request, refused ones too, is in
 * the request log before it is answered.
 */
export function createWebhookHandler(deps: WebhookDeps): WebhookHandler {
  let syncRuns = 0;
  const receivedIso = isoFormatter();

  const log = (call: WebhookCall, outcome: RequestOutcome, status: number, fields: LogFields) =>
    deps.requestLog.record({
      id: call.id,
      method: call.request.method!,
      path: call.path,
      headers: fields.headers ?? call.request.headers,
      outcome,
      status,
      ip: call.ip,
      latencyMs: call.elapsedMs(),
      workflowId: call.live?.record.id ?? null,
      executionId: fields.executionId ?? null,
      reason: fields.reason ?? null,
      bodyBytes: fields.bodyBytes,
    });

  async function fail(call: WebhookCall, error: unknown): Promise<void> {
    const failure = error instanceof HookflowError ? error : new HookflowError('internal', 'internal error', { cause: error });
    if (failure.status >= 500) deps.logger.error({ err: error, requestId: call.id }, 'webhook request failed');
    try {
      await log(call, outcomeByCode[failure.code] ?? 'error', failure.status, {
        reason: failure.reason ?? failure.message,
        bodyBytes: call.bodyBytes || Number(call.request.headers['content-length'] ?? 0) || 0,
      });
    } catch (logError) {
      deps.logger.error({ err: logError, requestId: call.id }, 'could not record a refused webhook request');
    }
    if (call.response.headersSent) return;
    const headers = failure.headers ? Object.entries(failure.headers) : [];
    writeReply(call.response, failure.status, headers, failure.toJSON(), call.closeConnection);
  }

  /** Everything up to the body: answers from here on never read it. */
  function admit(call: WebhookCall): { live: LiveWorkflow; params: Record<string, string>; limit: number } {
    const { request } = call;
    if (deps.draining()) {
      throw new HookflowError('unavailable', 'the server is shutting down', { headers: { 'retry-after': '5' } });
    }
    const match = deps.table().match(request.method!, request.url!.slice(WEBHOOK_PREFIX.length));
    if (match.kind === 'not_found') {
      throw new HookflowError('not_found', `no enabled workflow is served at ${call.path}`);
    }
    if (match.kind === 'method_not_allowed') {
      throw new HookflowError('method_not_allowed', `this webhook accepts ${match.allow.join(', ')}, not ${request.method}`, {
        headers: { allow: match.allow.join(', ') },
      });
    }
    const live = match.entry.value;
    call.live = live;
    const trigger = live.compiled.trigger;
    const limit = Math.min(trigger.maxBodyBytes ?? deps.defaultWorkflowBodyBytes, deps.maxBodyBytes);
    checkClientAddress(trigger, call.ip);
    if (trigger.rateLimit) {
      const verdict = deps.rateLimiter.take(live.record.id, trigger.rateLimit, deps.now().getTime());
      if (!verdict.ok) {
        throw new HookflowError('rate_limited', `this webhook takes at most ${trigger.rateLimit.max} requests per ${trigger.rateLimit.windowSec} s`, {
          headers: { 'retry-after': String(verdict.retryAfterSec) },
        });
      }
    }
    return { live, params: match.params, limit };
  }

  async function readAll(call: WebhookCall, limit: number): Promise<Buffer> {
    try {
      const raw = await readBody(call.request, limit);
      call.bodyBytes = raw.length;
      return raw;
    } catch (err) {
      // The rest of the body may still be on its way: it must not be taken for the next request.
      call.closeConnection = true;
      throw bodyReadError(err, call.request);
    }
  }

  async function handle(call: WebhookCall): Promise<void> {
    const { request, response } = call;
    const { live, params, limit } = admit(call);
    const trigger = live.compiled.trigger;
    const raw = await readAll(call, limit);
    const headers = flattenHeaders(request.headers);
    const query = call.search === '' ? {} : (parseQuery(call.search) as Record<string, string | string[]>);
    const now = deps.now();
    const secrets = trigger.verify || trigger.handshake ? await deps.secrets() : {};
    const fields = (executionId: string | null = null, reason: string | null = null): LogFields => ({ bodyBytes: raw.length, headers, executionId, reason });
    const answerHandshake = async (stage: 'before-verify' | 'after-verify', body: unknown) => {
      const answer = handshake(trigger, { stage, method: request.method!, query, body, secrets });
      if (!answer) return false;
      const refused = answer.outcome !== 'answered';
      await log(call, refused ? 'forbidden' : 'handshake', answer.status, fields(null, `${answer.kind} handshake: ${answer.outcome}`));
      writeReply(response, answer.status, Object.entries(answer.headers), answer.body);
      return true;
    };

    if (trigger.handshake && (await answerHandshake('before-verify', undefined))) return;
    checkSender(trigger, { raw, headers, secrets, now });
    const parsed = await parseBody({ raw, contentType: request.headers['content-type'], saveFile: deps.saveFile });
    if (trigger.handshake && (await answerHandshake('after-verify', parsed.data))) return;

    const context: TriggerContext = {
      data: parsed.data,
      headers,
      query,
      params,
      method: request.method!,
      path: call.path,
      ip: call.ip,
      receivedAt: receivedIso(now.getTime() - Math.round(call.elapsedMs())),
      rawBody: parsed.rawText,
      files: parsed.files,
    };
    const executionId = newId();
    const timeoutMs = trigger.timeoutMs ?? deps.defaultSyncTimeoutMs;
    const firstId = trigger.dedup
      ? await deps.dedup.claim({ workflowId: live.record.id, trigger, context, executionId, now, staleMs: timeoutMs + 60_000 })
      : undefined;
    if (firstId !== undefined) {
      const replayed = await deps.dedup.replay(firstId, trigger.mode, timeoutMs);
      const replayedHeaders = replyHeaders(replayed);
      await log(call, 'duplicate', replayed.status, fields(firstId));
      writeReply(response, replayed.status, replayedHeaders, replayed.body);
      return;
    }

    const start = { workflowId: live.record.id, workflowVersion: live.record.version, compiled: live.compiled, context, executionId, requestId: call.id };
    if (trigger.mode === 'async') {
      const accepted = deps.runner.accept(start);
      await Promise.all([accepted.persisted, log(call, 'accepted', 202, fields(executionId))]);
      writeReply(response, 202, [], { executionId });
      return;
    }

    if (syncRuns >= deps.maxSyncRuns) {
      throw new HookflowError('unavailable', `the server is running ${deps.maxSyncRuns} sync runs; try again shortly`, { headers: { 'retry-after': '1' } });
    }
    syncRuns += 1;
    try {
      const answering = Promise.resolve(deps.runner.runSync(start, timeoutMs));
      if (trigger.dedup) deps.dedup.track(executionId, answering.then((answer) => answer.reply));
      const answer = await answering;
      let replied: Array<[string, string]>;
      try {
        // Checked before the request is logged as accepted: a refused header is logged once, as the error it is.
        replied = replyHeaders(answer.reply);
      } catch (err) {
        await answer.persisted;
        throw err;
      }
      await Promise.all([
        answer.persisted,
        log(call, 'accepted', answer.reply.status, fields(executionId, answer.state === 'failed' ? runFailureReason(answer.reply) : null)),
      ]);
      writeReply(response, answer.reply.status, replied, answer.reply.body);
    } finally {
      syncRuns -= 1;
    }
  }

  return (request, response) => {
    const call = new WebhookCall(request, response, deps.trustedProxies);
    handle(call)
      .catch((err: unknown) => fail(call, err))
      .catch((err: unknown) => {
        // Not even the error could be answered: end the exchange rather than leave the caller waiting.
        deps.logger.error({ err, requestId: call.id }, 'could not answer a webhook request');
        call.response.destroy();
      });
  };
}

/** What the caller is told when its body could not be read in full. */
function bodyReadError(error: unknown, request: IncomingMessage): HookflowError {
  if (error instanceof HookflowError) return error;
  if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') {
    // The body stopped short of its Content-Length: Node's request timeout cut it off, or the client
    // hung up. server.ts has already answered (408, or 400) if the connection still took an answer;
    // this is for the request log, so it records what the caller was told.
    const timedOut = (request.socket.errored as NodeJS.ErrnoException | null)?.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    return timedOut
      ? new HookflowError('bad_request', 'the request was not received in full within the request timeout', { status: 408, cause: error })
      : new HookflowError('bad_request', 'the client closed the connection before the whole body arrived', { cause: error });
  }
  return new HookflowError('bad_request', `the body could not be read: ${(error as Error).message}`, { cause: error });
}

function runFailureReason(reply: HttpReply): string | null {
  const body = reply.body as { error?: { message?: string } } | null;
  return body?.error?.message ?? null;
}

/**
 * The reply's headers as they will be sent. A templated header that would
 * break the response (CR/LF, NUL, a bad name) is refused, not sent: the
 * check must come before anything is written, for an answer in the
 * contract's shape.
 */
function replyHeaders(answer: HttpReply): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(answer.headers)) {
    // A templated header that evaluated to nothing is left out.
    if (value === undefined || value === null || value === '') continue;
    const text = typeof value === 'string' ? value : String(value);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, text);
    } catch (cause) {
      throw new HookflowError('internal', `the workflow's response header "${name}" is not a valid HTTP header`, { cause });
    }
    headers.push([name, text]);
  }
  return headers;
}
