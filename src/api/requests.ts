import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { listRequests, type RequestOutcome } from '../store/requests.js';
import { Page, errorResponses } from './schemas.js';

/** The request log: every webhook request with its outcome, newest first. */
export async function requestRoutes(app: FastifyInstance, deps: { db: Kysely<Database> }): Promise<void> {
  app.get<{ Querystring: { workflowId?: string; outcome?: RequestOutcome; limit?: number; cursor?: string } }>('/api/requests', {
    schema: {
      tags: ['requests'],
      summary: 'The request log',
      querystring: Type.Composite([Type.Object({ workflowId: Type.Optional(Type.String()), outcome: Type.Optional(Type.String()) }), Page]),
      response: { 200: Type.Object({ items: Type.Array(Type.Ref('RequestEntry')), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request) => {
    const { workflowId, outcome, limit, cursor } = request.query;
    return listRequests(deps.db, { workflowId, outcome, cursor, limit: limit ?? 50 });
  });
}
