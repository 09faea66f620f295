import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RecordService } from '../collections/records.js';
import { HookflowError } from '../shared/errors.js';
import { errorResponses } from './schemas.js';

// No declared properties: the serializer would move them first, and a record
// should read the same here as in a node's output (`id`, fields, timestamps).
const RecordSchema = Type.Object({}, {
  additionalProperties: true,
  description: 'A record: `id` (string), one property per field, `createdAt`, `updatedAt` (ISO date-times).',
});

const RecordValuesBody = Type.Object({}, { additionalProperties: true, description: 'Field names to values, checked against the field types.' });

const ListQuery = Type.Object({
  filter: Type.Optional(Type.String({ description: 'JSON: `{"status":"open","total":{"$gte":100}}`; operators $eq $ne $gt $gte $lt $lte $in $nin $contains $exists, $and, $or' })),
  sort: Type.Optional(Type.String({ description: 'Comma-separated fields, `-` for descending: `-createdAt,name`. Default: creation order.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ description: '`nextCursor` of the previous page (same filter and sort)' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Records to skip; instead of `cursor`' })),
});

const Params = Type.Object({ name: Type.String() });
const IdParams = Type.Object({ name: Type.String(), id: Type.String() });

type ListQuery = { filter?: string; sort?: string; limit?: number; cursor?: string; offset?: number };

function parseFilterParam(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = `is not valid JSON: ${(err as Error).message}`;
    throw new HookflowError('bad_request', `filter ${message}`, { details: [{ path: 'filter', message }] });
  }
}

/** Records of one collection: list (filter, sort, cursor or offset), get, create, update (partial), delete. */
export async function recordRoutes(app: FastifyInstance, records: RecordService): Promise<void> {
  const tags = ['records'];
  const base = '/api/collections/:name/records';

  app.get<{ Params: { name: string }; Querystring: ListQuery }>(base, {
    schema: {
      tags,
      summary: 'List records',
      params: Params,
      querystring: ListQuery,
      response: { 200: Type.Object({ items: Type.Array(RecordSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request) => {
    const { filter, sort, limit, cursor, offset } = request.query;
    return records.list(request.params.name, { filter: parseFilterParam(filter), sort, limit, cursor, offset });
  });

  app.post<{ Params: { name: string } }>(base, {
    schema: { tags, summary: 'Create a record', params: Params, body: RecordValuesBody, response: { 201: RecordSchema, 409: Type.Ref('Error'), ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await records.create(request.params.name, request.body)));

  app.get<{ Params: { name: string; id: string } }>(`${base}/:id`, {
    schema: { tags, summary: 'Get a record', params: IdParams, response: { 200: RecordSchema, ...errorResponses } },
  }, async (request) => records.get(request.params.name, request.params.id));

  app.patch<{ Params: { name: string; id: string } }>(`${base}/:id`, {
    schema: { tags, summary: 'Change the given fields of a record', params: IdParams, body: RecordValuesBody, response: { 200: RecordSchema, 409: Type.Ref('Error'), ...errorResponses } },
  }, async (request) => records.update(request.params.name, request.params.id, request.body));

  app.delete<{ Params: { name: string; id: string } }>(`${base}/:id`, {
    schema: { tags, summary: 'Delete a record', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await records.remove(request.params.name, request.params.id);
    return reply.code(204).send();
  });
}
