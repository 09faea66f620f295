import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveWorkflow } from '../workflows/catalog.js';
import type { TriggerContext, HttpReply } from '../engine/run.js';
import type { Runner } from '../runs/runner.js';
import { HookflowError, type ErrorCode } from '../shared/errors.js';
import type { RequestOutcome } from '../store/requests.js';
import type { RouteTable } from './route-table.js';
import { parseBody, type SaveFile } from './body.js';
import { flattenHeaders } from './redact.js';
import type { RequestLogger } from './request-log.js';

export const WEBHOOK_PREFIX = '/api/webhooks/';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const EMPTY = Buffer.alloc(0);

export interface WebhookRouteDeps {
  table: () => RouteTable<LiveWorkflow>;
  runner: Runner;
  requestLog: RequestLogger;
  saveFile: SaveFile;
  /** Global ceiling; a workflow's `maxBodyBytes` may only lower it. */
  maxBodyBytes: number;
  defaultWorkflowBodyBytes: number;
  defaultSyncTimeoutMs: number;
  now: () => Date;
  /** True while shutting down: new webhook calls get 503. */
  draining: () => boolean;
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
 * The public webhook endpoint: `ANY /api/webhooks/<key or path>`. Lookup and
 * size checks run before the body is read; the raw bytes are kept (signature
 * checks need them) and parsed by content type only after that; every
 * request, refused ones too, is in the request log before it is answered.
 */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  const found = new WeakMap<FastifyRequest, Found>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_request, body, done) => done(null, body));

  app.setErrorHandler(async (error: FastifyError | HookflowError, request, reply) => {
    const hookflowError = toHookflowError(error);
    const match = found.get(request);
    await deps.requestLog.record(request, {
      outcome: outcomeByCode[hookflowError.code] ?? 'error',
      status: hookflowError.status,
      workflowId: match?.live.record.id ?? null,
      reason: hookflowError.message,
      bodyBytes: Number(request.headers['content-length'] ?? 0) || 0,
      latencyMs: reply.elapsedTime,
    });
    if (hookflowError.status >= 500) request.log.error({ err: error }, 'webhook request failed');
    void reply.code(hookflowError.status).headers(hookflowError.headers ?? {}).send(hookflowError.toJSON());
  });

  app.route({
    method: METHODS,
    url: `${WEBHOOK_PREFIX}*`,
    // Refuse before reading a byte of the body: unknown path, wrong method, too large.
    preParsing: async (request, _reply, payload) => {
      if (deps.draining()) {
        throw new HookflowError('unavailable', 'the server is shutting down', { headers: { 'retry-after': '5' } });
      }
      const subpath = request.url.slice(WEBHOOK_PREFIX.length);
      const match = deps.table().match(request.method, subpath);
      if (match.kind === 'not_found') {
        throw new HookflowError('not_found', `no enabled workflow is served at ${request.url.split('?', 1)[0]}`);
      }
      if (match.kind === 'method_not_allowed') {
        throw new HookflowError('method_not_allowed', `this webhook accepts ${match.allow.join(', ')}, not ${request.method}`, {
          headers: { allow: match.allow.join(', ') },
        });
      }
      const live = match.entry.value;
      const limit = Math.min(live.definition.trigger.maxBodyBytes ?? deps.defaultWorkflowBodyBytes, deps.maxBodyBytes);
      found.set(request, { live, params: match.params, limit });
      const declared = Number(request.headers['content-length']);
      if (declared > limit) throw tooLarge(limit);
      return payload;
    },
    handler: async (request, reply) => {
      const match = found.get(request)!;
      const raw = (request.body as Buffer | undefined) ?? EMPTY;
      if (raw.length > match.limit) throw tooLarge(match.limit);
      const parsed = await parseBody({ raw, contentType: request.headers['content-type'], saveFile: deps.saveFile });
      const { live } = match;
      const trigger = live.definition.trigger;
      const context: TriggerContext = {
        data: parsed.data,
        headers: flattenHeaders(request.headers),
        query: request.query as Record<string, string | string[]>,
        params: match.params,
        method: request.method,
        path: request.url.split('?', 1)[0]!,
        ip: request.ip,
        receivedAt: new Date(deps.now().getTime() - Math.round(reply.elapsedTime)).toISOString(),
        rawBody: parsed.rawText,
        files: parsed.files,
      };
      const start = { workflowId: live.record.id, workflowVersion: live.record.version, compiled: live.compiled, context, requestId: request.id };
      const logFields = { workflowId: live.record.id, bodyBytes: raw.length };

      if ((trigger.mode ?? 'sync') === 'async') {
        const accepted = deps.runner.accept(start);
        await Promise.all([
          accepted.persisted,
          deps.requestLog.record(request, { ...logFields, outcome: 'accepted', status: 202, executionId: accepted.executionId, latencyMs: reply.elapsedTime }),
        ]);
        return reply.code(202).send({ executionId: accepted.executionId });
      }

      const answer = await deps.runner.runSync(start, trigger.timeoutMs ?? deps.defaultSyncTimeoutMs);
      await Promise.all([
        answer.persisted,
        deps.requestLog.record(request, {
          ...logFields,
          outcome: 'accepted',
          status: answer.reply.status,
          executionId: answer.executionId,
          reason: answer.state === 'failed' ? runFailureReason(answer.reply) : null,
          latencyMs: reply.elapsedTime,
        }),
      ]);
      return sendReply(reply, answer.reply);
    },
  });
}

function tooLarge(limit: number): HookflowError {
  return new HookflowError('payload_too_large', `the body is larger than this webhook's limit of ${limit} bytes`);
}

function toHookflowError(error: FastifyError | HookflowError): HookflowError {
  if (error instanceof HookflowError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HookflowError('payload_too_large', 'the body is larger than the server accepts', { cause: error });
  if (error.statusCode && error.statusCode < 500) return new HookflowError('bad_request', error.message, { status: error.statusCode, cause: error });
  return new HookflowError('internal', 'internal error', { cause: error });
}

function runFailureReason(reply: HttpReply): string | null {
  const body = reply.body as { error?: { message?: string } } | null;
  return body?.error?.message ?? null;
}

function sendReply(reply: FastifyReply, answer: HttpReply): FastifyReply {
  reply.code(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) {
    // A templated header that evaluated to nothing is left out.
    if (value === undefined || value === null || value === '') continue;
    try {
      reply.header(name, typeof value === 'string' ? value : String(value));
    } catch (cause) {
      // A templated header that would break the response (CR/LF, bad name) is refused, not sent.
      throw new HookflowError('internal', `the workflow's response header "${name}" is not a valid HTTP header`, { cause });
    }
  }
  return answer.body === null || answer.body === undefined ? reply.send() : reply.send(answer.body);
}

