import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { createAuthenticator } from '../api/auth.js';
import { collectionRoutes, type CollectionRoutesDeps } from '../api/collections.js';
import { apiErrorHandler } from '../api/error-handler.js';
import { executionRoutes } from '../api/executions.js';
import { requestRoutes } from '../api/requests.js';
import { secretRoutes } from '../api/secrets.js';
import { sharedSchemas } from '../api/schemas.js';
import { tokenRoutes } from '../api/tokens.js';
import { workflowRoutes } from '../api/workflows.js';
import { createWebhookHandler, WEBHOOK_PREFIX, type WebhookDeps } from '../ingress/webhook-handler.js';
import type { Runner } from '../runs/runner.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { HookflowError, errorBody } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../store/schema.js';
import type { WorkflowCatalog } from '../workflows/catalog.js';
import type { WorkflowService } from '../workflows/service.js';

export interface HttpServerDeps {
  logger: Logger;
  db: Kysely<Database>;
  runner: Runner;
  catalog: WorkflowCatalog;
  service: WorkflowService;
  collections: CollectionRoutesDeps;
  secrets: SecretStore;
  adminToken: string | undefined;
  publicUrl: string | undefined;
  webhook: Omit<WebhookDeps, 'runner' | 'logger'>;
  https?: { cert: Buffer; key: Buffer };
  /** Against slow senders: all headers within `headersMs`, the whole request within `requestMs`. */
  timeouts: { headersMs: number; requestMs: number };
  clock: Clock;
  version: string;
}

/** The HTTP side: health, the public webhook endpoint, and the management API with its OpenAPI document. */
export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const webhook = createWebhookHandler({ ...deps.webhook, runner: deps.runner, logger: deps.logger });
  const app = Fastify({
    loggerInstance: deps.logger,
    // The request log in the store records every webhook call; a log line per request would double the cost.
    logController: new LogController({ disableRequestLogging: true }),
    // Webhook calls go straight to their handler; everything else to Fastify.
    serverFactory: (fastify) => {
      const route = (request: IncomingMessage, response: ServerResponse) =>
        request.url!.startsWith(WEBHOOK_PREFIX) ? webhook(request, response) : fastify(request, response);
      // Node checks these timeouts every `connectionsCheckingInterval` (30 s by default); check every second.
      const server = deps.https
        ? createHttpsServer({ ...deps.https, connectionsCheckingInterval: 1000 }, route)
        : createHttpServer({ connectionsCheckingInterval: 1000 }, route);
      // Node's own guards against slow senders.
      server.requestTimeout = deps.timeouts.requestMs;
      server.headersTimeout = deps.timeouts.headersMs;
      // Fastify's own default: longer than the idle timeout of common load balancers.
      server.keepAliveTimeout = 72_000;
      return server;
    },
    // Only for the scheme of the address `listen` reports: the server above does the TLS.
    ...(deps.https ? { https: deps.https } : {}),
    clientErrorHandler: (error, socket) => answerClientError(error, socket, deps.timeouts.requestMs),
    // Secret names run to 128 characters; the router's default refuses params over 100 with 414.
    routerOptions: { maxParamLength: 200 },
  }) as unknown as FastifyInstance;

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Hookflow', version: deps.version, description: 'Webhook-to-workflow server: management API and webhook endpoint.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  for (const schema of sharedSchemas) app.addSchema(schema);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    if (deps.webhook.draining()) return reply.code(503).send({ status: 'shutting_down' });
    try {
      await sql`select 1`.execute(deps.db);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'store_unreachable' });
    }
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authenticate = createAuthenticator(deps.db, deps.adminToken);
  await app.register(async (api) => {
    api.setErrorHandler(apiErrorHandler);
    api.addHook('onRequest', async (request) => {
      if (deps.webhook.draining() && request.method !== 'GET') {
        throw new HookflowError('unavailable', 'the server is shutting down', { headers: { 'retry-after': '5' } });
      }
      await authenticate(request);
    });
    api.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseYaml(body as string));
      } catch (err) {
        done(new HookflowError('bad_request', `invalid YAML: ${(err as Error).message}`), undefined);
      }
    });
    await workflowRoutes(api, { db: deps.db, service: deps.service, publicUrl: deps.publicUrl });
    await executionRoutes(api, { db: deps.db, runner: deps.runner, catalog: deps.catalog });
    await requestRoutes(api, { db: deps.db });
    await collectionRoutes(api, deps.collections);
    await secretRoutes(api, { secrets: deps.secrets });
    await tokenRoutes(api, { db: deps.db, clock: deps.clock });
  });

  return app;
}

/**
 * Requests Node refuses before any route sees them — not HTTP, a body the
 * request timeout cut off, headers too large — answered in the contract's
 * error shape, where Fastify's stock handler sends `{"statusCode": …}`.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, requestMs: number): void {
  // A reset socket has nobody left to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, `the request was not received in full within ${requestMs} ms`]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : error.code === 'HPE_INVALID_EOF_STATE'
          ? [400, 'the connection was closed before the whole request arrived']
          : [400, 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify(errorBody('bad_request', message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
