import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { SecretStore } from '../secrets/secret-store.js';
import { errorResponses } from './schemas.js';

export interface SecretRoutesDeps {
  secrets: SecretStore;
}

// The name is checked by the secret store, whose message says what a name may
// be; a schema pattern would answer with a bare regular expression.
const NameParams = Type.Object({
  name: Type.String({ description: 'Like an environment variable: `^[A-Z][A-Z0-9_]{0,127}$`.' }),
});

const SecretBody = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 65_536, description: 'The secret; stored encrypted, never returned.' }) },
  { additionalProperties: false },
);

const SecretSummary = Type.Object({
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** Secrets (`/api/secrets`): write-only. No route returns a value; runs read them as `$secrets.NAME`. */
export async function secretRoutes(app: FastifyInstance, deps: SecretRoutesDeps): Promise<void> {
  const tags = ['secrets'];

  app.put<{ Params: { name: string }; Body: { value: string } }>('/api/secrets/:name', {
    schema: { tags, summary: 'Create or replace a secret (write-only)', params: NameParams, body: SecretBody, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deps.secrets.put(request.params.name, request.body.value);
    return reply.code(204).send();
  });

  app.get('/api/secrets', {
    schema: { tags, summary: 'List secret names with their timestamps (never values)', response: { 200: Type.Object({ items: Type.Array(SecretSummary) }), ...errorResponses } },
  }, async () => ({ items: await deps.secrets.list() }));

  app.delete<{ Params: { name: string } }>('/api/secrets/:name', {
    schema: { tags, summary: 'Delete a secret', params: NameParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deps.secrets.remove(request.params.name);
    return reply.code(204).send();
  });
}
