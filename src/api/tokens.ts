import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { HookflowError } from '../shared/errors.js';
import { newApiToken, newId } from '../shared/ids.js';
import { insertApiToken, listApiTokens, revokeApiToken } from '../store/api-tokens.js';
import type { Database } from '../store/schema.js';
import { hashToken } from './auth.js';
import { IdParams, errorResponses } from './schemas.js';

const TokenView = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.String(), revokedAt: Type.Union([Type.String(), Type.Null()]) });

/** Named API tokens: issued once (only their SHA-256 digest is kept), listed, revoked. */
export async function tokenRoutes(app: FastifyInstance, deps: { db: Kysely<Database>; clock: Clock }): Promise<void> {
  const tags = ['tokens'];

  app.post<{ Body: { name: string } }>('/api/tokens', {
    schema: {
      tags,
      summary: 'Issue a named token; the answer is the only time it is shown',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
      response: { 201: Type.Composite([TokenView, Type.Object({ token: Type.String() })]), ...errorResponses },
    },
  }, async (request, reply) => {
    const token = newApiToken();
    const id = newId();
    const now = deps.clock.now().toISOString();
    await insertApiToken(deps.db, { id, name: request.body.name, hash: hashToken(token), now });
    return reply.code(201).send({ id, name: request.body.name, createdAt: now, revokedAt: null, token });
  });

  app.get('/api/tokens', {
    schema: { tags, summary: 'Tokens by name, never their values', response: { 200: Type.Object({ items: Type.Array(TokenView) }), ...errorResponses } },
  }, async () => ({ items: await listApiTokens(deps.db) }));

  app.delete<{ Params: { id: string } }>('/api/tokens/:id', {
    schema: { tags, summary: 'Revoke a token: it stops working at once', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    if (!(await revokeApiToken(deps.db, { id: request.params.id, now: deps.clock.now().toISOString() }))) {
      throw new HookflowError('not_found', `no active token ${request.params.id}`);
    }
    return reply.code(204).send();
  });
}
