import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RecordService } from '../collections/records.js';
import type { CollectionService } from '../collections/service.js';
import { FIELD_TYPES } from '../store/collections.js';
import { recordRoutes } from './records.js';
import { errorResponses } from './schemas.js';

export interface CollectionRoutesDeps {
  collections: CollectionService;
  records: RecordService;
}

const FieldSchema = Type.Object({
  name: Type.String({ description: 'Letters, digits and single "_"; at most 30 characters; not id, createdAt, updatedAt or an SQL reserved word.' }),
  type: Type.String({ enum: [...FIELD_TYPES] }),
  required: Type.Boolean({ description: 'NOT NULL: every record has a value (default false).' }),
  unique: Type.Boolean({ description: 'No two records share a value (default false; not for boolean and json).' }),
});

const CollectionSchema = Type.Object({
  name: Type.String(),
  fields: Type.Array(FieldSchema),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

// Checked by the collection service, which names every problem with its path
// (and does not coerce "true" into true as Fastify's validator would).
const CollectionBody = Type.Object({}, {
  additionalProperties: true,
  description: '`{ name, fields: [{ name, type, required?, unique? }] }`; see docs/collections.md.',
});

export const NameParams = Type.Object({ name: Type.String() });

/** Collections (`/api/collections`) and their records (`/api/collections/:name/records`). */
export async function collectionRoutes(app: FastifyInstance, deps: CollectionRoutesDeps): Promise<void> {
  const tags = ['collections'];
  const conflict = { 409: Type.Ref('Error') };

  app.post('/api/collections', {
    schema: { tags, summary: 'Define a collection: creates its table', body: CollectionBody, response: { 201: CollectionSchema, ...conflict, ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await deps.collections.create(request.body)));

  app.get('/api/collections', {
    schema: { tags, summary: 'List collections by name', response: { 200: Type.Object({ items: Type.Array(CollectionSchema) }), ...errorResponses } },
  }, async () => ({ items: await deps.collections.list() }));

  app.get<{ Params: { name: string } }>('/api/collections/:name', {
    schema: { tags, summary: 'Get a collection', params: NameParams, response: { 200: CollectionSchema, ...errorResponses } },
  }, async (request) => deps.collections.get(request.params.name));

  app.put<{ Params: { name: string } }>('/api/collections/:name', {
    schema: {
      tags,
      summary: 'Change the fields: adds, drops and alters columns; refuses (409) what the records do not allow',
      params: NameParams,
      body: CollectionBody,
      response: { 200: CollectionSchema, ...conflict, ...errorResponses },
    },
  }, async (request) => deps.collections.update(request.params.name, request.body));

  app.delete<{ Params: { name: string } }>('/api/collections/:name', {
    schema: { tags, summary: 'Delete a collection with its table and every record', params: NameParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deps.collections.remove(request.params.name);
    return reply.code(204).send();
  });

  await recordRoutes(app, deps.records);
}
