import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveWorkflow } from '../workflows/catalog.js';
import type { TriggerContext, HttpReply } from '../engine/run.js';
import type { Runner } from '../runs/runner.js';
import { HookflowError, type ErrorCode } from '../shared/errors.js';
import { isoFormatter } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import type { RequestOutcome } from '../store/requests.js';
import { clientIp } from '../verify/ip-allow.js';
import type { RouteTable } from './route-table.js';
import { parseBody, type SaveFile } from './body.js';
import type { Deduplicator } from './dedup.js';
import type { RateLimiter } from './rate-limiter.js';
import { flattenHeaders } from './redact.js';
import type { RequestLogger } from './request-log.js';
import { checkClientAddress, checkSender, handshake } from './sender-checks.js';

export const WEBHOOK_PREFIX = '/api/webhooks/';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const EMPTY = Buffer.alloc(0);
/** `type/subtype`, then parameters or nothing: what Fastify accepts (its `content-type.js`), else it answers 415. */
const VALID_MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(?:;|$)/;

export interface WebhookRouteDeps {
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
}

/** What the request log takes from the handler beside outcome and status. */
interface LogFields {
  workflowId: string | null;
  bodyBytes: number;
  /** Already flattened for `$context.headers`; the log redacts its own copy. Read off the request when absent. */
  headers?: Record<string, string>;
  executionId?: string | null;
  reason?: string | null;
}

/** What the route learns about a request before its body is read. */
interface WebhookRequestState {
  found?: Found;
  /** The client address, once worked out. */
  ip?: string;
  /** A Content-Type header hidden from Fastify while the body is read. */
  hiddenType?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the webhook route (webhook-route.ts); null on every other route. */
    webhook: WebhookRequestState | null;
  }
}

interface Found {
  live: LiveWorkflow;
  params: Record<string, string>;
  limit: number;
}

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

/**
 * The public webhook endpoint: `ANY /api/webhooks/<key or path>`. In order:
 * lookup, client address, rate limit and declared size before a byte of the
 * body is read; then the raw bytes are verified, parsed, deduplicated, and
 * run or queued. Every request, refused ones too, is in the request log
 * before it is answered.
 */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  // A decoration, not WeakMaps keyed by request: three WeakMap operations per call were ~2% of its CPU.
  app.decorateRequest('webhook', null);
  const stateOf = (request: FastifyRequest): WebhookRequestState =>
    (request.webhook ??= { found: undefined, ip: undefined, hiddenType: undefined }); // one shape for every request
  // Fastify answers 415 to a Content-Type that is not `type/subtype` before any parser runs, but a
  // webhook body is never refused for its type (docs/webhooks.md: it is sniffed or kept as bytes).
  // So such a header is hidden from Fastify while the body is read, and put back before anyone looks.
  const restoreType = (request: FastifyRequest) => {
    const type = request.webhook?.hiddenType;
    if (type !== undefined) request.headers['content-type'] = type;
  };
  let syncRuns = 0;
  const receivedIso = isoFormatter();

  const ipOf = (request: FastifyRequest): string => {
    const state = stateOf(request);
    let ip = state.ip;
    if (ip === undefined) {
      const peer = request.socket.remoteAddress ?? request.ip;
      // No trusted proxy: the peer is the client, and parsing it is wasted work on every call.
      ip = deps.trustedProxies.length === 0 && !peer.includes(':')
        ? peer
        : clientIp({ peer, forwardedFor: request.headers['x-forwarded-for'], trustedProxies: deps.trustedProxies });
      state.ip = ip;
    }
    return ip;
  };
  const log = (request: FastifyRequest, reply: FastifyReply, outcome: RequestOutcome, status: number, fields: LogFields) =>
    deps.requestLog.record(request, {
      outcome,
      status,
      ip: ipOf(request),
      latencyMs: reply.elapsedTime,
      workflowId: fields.workflowId,
      executionId: fields.executionId ?? null,
      reason: fields.reason ?? null,
      bodyBytes: fields.bodyBytes,
      headers: fields.headers,
    });

  app.removeAllContentTypeParsers();
  const keepBytes = { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes } as const;
  const asBytes = (_request: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body);
  app.addContentTypeParser('*', keepBytes, asBytes);
  // The same parser, named for the common types: Fastify remembers a named type's parser by the header's
  // text, where the catch-all makes it parse the header anew on every call (~1.5% of a call).
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded', 'text/plain'], keepBytes, asBytes);

  app.setErrorHandler(async (error: FastifyError | HookflowError, request, reply) => {
    restoreType(request);
    const failure = toHookflowError(error, request);
    await log(request, reply, outcomeByCode[failure.code] ?? 'error', failure.status, {
      workflowId: request.webhook?.found?.live.record.id ?? null,
      reason: failure.reason ?? failure.message,
      bodyBytes: Number(request.headers['content-length'] ?? 0) || 0,
    });
    if (failure.status >= 500) request.log.error({ err: error }, 'webhook request failed');
    void reply.code(failure.status).headers(failure.headers ?? {}).send(failure.toJSON());
  });

  app.route({
    method: METHODS,
    url: `${WEBHOOK_PREFIX}*`,
    exposeHeadRoute: false,
    preParsing: async (request, _reply, payload) => {
      if (deps.draining()) {
        throw new HookflowError('unavailable', 'the server is shutting down', { headers: { 'retry-after': '5' } });
      }
      const match = deps.table().match(request.method, request.url.slice(WEBHOOK_PREFIX.length));
      if (match.kind === 'not_found') {
        throw new HookflowError('not_found', `no enabled workflow is served at ${request.url.split('?', 1)[0]}`);
      }
      if (match.kind === 'method_not_allowed') {
        throw new HookflowError('method_not_allowed', `this webhook accepts ${match.allow.join(', ')}, not ${request.method}`, {
          headers: { allow: match.allow.join(', ') },
        });
      }
      const live = match.entry.value;
      const trigger = live.compiled.trigger;
      const limit = Math.min(trigger.maxBodyBytes ?? deps.defaultWorkflowBodyBytes, deps.maxBodyBytes);
      stateOf(request).found = { live, params: match.params, limit };
      checkClientAddress(trigger, ipOf(request));
      if (trigger.rateLimit) {
        const verdict = deps.rateLimiter.take(live.record.id, trigger.rateLimit, deps.now().getTime());
        if (!verdict.ok) {
          throw new HookflowError('rate_limited', `this webhook takes at most ${trigger.rateLimit.max} requests per ${trigger.rateLimit.windowSec} s`, {
            headers: { 'retry-after': String(verdict.retryAfterSec) },
          });
        }
      }
      if (Number(request.headers['content-length']) > limit) throw tooLarge(limit);
      const type = request.headers['content-type'];
      if (type !== undefined && !VALID_MEDIA_TYPE.test(type)) {
        stateOf(request).hiddenType = type;
        delete request.headers['content-type'];
      }
      return payload;
    },
    handler: async (request, reply) => {
      restoreType(request);
      const match = request.webhook!.found!;
      const { live } = match;
      const trigger = live.compiled.trigger;
      const raw = (request.body as Buffer | undefined) ?? EMPTY;
      if (raw.length > match.limit) throw tooLarge(match.limit);
      const headers = flattenHeaders(request.headers);
      const query = request.query as Record<string, string | string[]>;
      const now = deps.now();
      const secrets = trigger.verify || trigger.handshake ? await deps.secrets() : {};
      const logFields = (executionId: string | null = null, reason: string | null = null): LogFields => ({
        workflowId: live.record.id,
        bodyBytes: raw.length,
        headers,
        executionId,
        reason,
      });
      const answerHandshake = async (stage: 'before-verify' | 'after-verify', body: unknown) => {
        const answer = handshake(trigger, { stage, method: request.method, query, body, secrets });
        if (!answer) return false;
        const refused = answer.outcome !== 'answered';
        await log(request, reply, refused ? 'forbidden' : 'handshake', answer.status, logFields(null, `${answer.kind} handshake: ${answer.outcome}`));
        void sendReply(reply, { status: answer.status, headers: { ...answer.headers }, body: answer.body });
        return true;
      };

      if (trigger.handshake && (await answerHandshake('before-verify', undefined))) return reply;
      checkSender(trigger, { raw, headers, secrets, now });
      const parsed = await parseBody({ raw, contentType: request.headers['content-type'], saveFile: deps.saveFile });
      if (trigger.handshake && (await answerHandshake('after-verify', parsed.data))) return reply;

      const context: TriggerContext = {
        data: parsed.data,
        headers,
        query,
        params: match.params,
        method: request.method,
        path: request.url.split('?', 1)[0]!,
        ip: ipOf(request),
        receivedAt: receivedIso(now.getTime() - Math.round(reply.elapsedTime)),
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
        await log(request, reply, 'duplicate', replayed.status, logFields(firstId));
        return sendReply(reply, replayed, replayedHeaders);
      }

      const start = { workflowId: live.record.id, workflowVersion: live.record.version, compiled: live.compiled, context, executionId, requestId: request.id };
      if (trigger.mode === 'async') {
        const accepted = deps.runner.accept(start);
        await Promise.all([accepted.persisted, log(request, reply, 'accepted', 202, logFields(executionId))]);
        return reply.code(202).send({ executionId });
      }

      if (syncRuns >= deps.maxSyncRuns) {
        throw new HookflowError('unavailable', `the server is running ${deps.maxSyncRuns} sync runs; try again shortly`, { headers: { 'retry-after': '1' } });
      }
      syncRuns += 1;
      try {
        const answering = Promise.resolve(deps.runner.runSync(start, timeoutMs));
        if (trigger.dedup) deps.dedup.track(executionId, answering.then((answer) => answer.reply));
        const answer = await answering;
        let headers: Array<[string, string]>;
        try {
          // Checked before the request is logged as accepted: a refused header is logged once, as the error it is.
          headers = replyHeaders(answer.reply);
        } catch (err) {
          await answer.persisted;
          throw err;
        }
        await Promise.all([
          answer.persisted,
          log(request, reply, 'accepted', answer.reply.status, logFields(executionId, answer.state === 'failed' ? runFailureReason(answer.reply) : null)),
        ]);
        return sendReply(reply, answer.reply, headers);
      } finally {
        syncRuns -= 1;
      }
    },
  });
}

function tooLarge(limit: number): HookflowError {
  return new HookflowError('payload_too_large', `the body is larger than this webhook's limit of ${limit} bytes`);
}

function toHookflowError(error: FastifyError | HookflowError, request: FastifyRequest): HookflowError {
  if (error instanceof HookflowError) return error;
  if (error.code === 'ECONNRESET') {
    // The body stopped short of its Content-Length: Node's request timeout cut it off, or the client
    // hung up. server.ts has already answered (408, or 400) if the connection still took an answer;
    // this is for the request log, so it records what the caller was told.
    const timedOut = (request.socket.errored as NodeJS.ErrnoException | null)?.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    return timedOut
      ? new HookflowError('bad_request', 'the request was not received in full within the request timeout', { status: 408, cause: error })
      : new HookflowError('bad_request', 'the client closed the connection before the whole body arrived', { cause: error });
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HookflowError('payload_too_large', 'the body is larger than the server accepts', { cause: error });
  if (error.statusCode && error.statusCode < 500) return new HookflowError('bad_request', error.message, { status: error.statusCode, cause: error });
  return new HookflowError('internal', 'internal error', { cause: error });
}

function runFailureReason(reply: HttpReply): string | null {
  const body = reply.body as { error?: { message?: string } } | null;
  return body?.error?.message ?? null;
}

/**
 * The reply's headers as they will be sent. A templated header that would
 * break the response (CR/LF, NUL, a bad name) is refused, not sent: Fastify
 * checks only while writing, too late for an answer in the contract's shape.
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

function sendReply(reply: FastifyReply, answer: HttpReply, headers = replyHeaders(answer)): FastifyReply {
  reply.code(answer.status);
  for (const [name, value] of headers) reply.header(name, value);
  return answer.body === null || answer.body === undefined ? reply.send() : reply.send(answer.body);
}
