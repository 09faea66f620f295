import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WorkflowService } from '../workflows/service.js';
import type { WorkflowRecord } from '../store/workflows.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { listWorkflows, listWorkflowVersions } from '../store/workflows.js';
import { IdParams, errorResponses } from './schemas.js';

const definitionBody = Type.Object({}, { additionalProperties: true, description: 'A workflow definition (docs/workflows.md); JSON, or YAML with `Content-Type: application/yaml`.' });

export interface WorkflowRoutesDeps {
  db: Kysely<Database>;
  service: WorkflowService;
  /** `HOOKFLOW_PUBLIC_URL`; unset: the request's own scheme and host. */
  publicUrl: string | undefined;
}

export function webhookUrls(workflow: WorkflowRecord, base: string): string[] {
  const root = `${base.replace(/\/+$/, '')}/api/webhooks/`;
  const urls = [`${root}${workflow.key}`];
  if (workflow.path) urls.push(`${root}${workflow.path.replace(/^\/+/, '')}`);
  return urls;
}

/** Workflows: create, list, get, update (a new version), delete, enable, disable, versions. */
export async function workflowRoutes(app: FastifyInstance, deps: WorkflowRoutesDeps): Promise<void> {
  const baseOf = (request: FastifyRequest) => deps.publicUrl ?? `${request.protocol}://${request.host}`;
  const view = (workflow: WorkflowRecord, request: FastifyRequest) => ({
    ...workflow,
    definition: { ...(workflow.definition as object), enabled: workflow.enabled },
    webhookUrls: webhookUrls(workflow, baseOf(request)),
  });
  const tags = ['workflows'];

  app.post('/api/workflows', {
    schema: { tags, summary: 'Create a workflow', body: definitionBody, response: { 201: Type.Ref('Workflow'), 409: Type.Ref('Error'), ...errorResponses } },
  }, async (request, reply) => {
    const workflow = await deps.service.create(request.body);
    return reply.code(201).send(view(workflow, request));
  });

  app.get('/api/workflows', {
    schema: { tags, summary: 'List workflows', response: { 200: Type.Object({ items: Type.Array(Type.Ref('Workflow')) }), ...errorResponses } },
  }, async (request) => ({ items: (await listWorkflows(deps.db)).map((w) => view(w, request)) }));

  app.get<{ Params: { id: string } }>('/api/workflows/:id', {
    schema: { tags, summary: 'Get a workflow at its current version', params: IdParams, response: { 200: Type.Ref('Workflow'), ...errorResponses } },
  }, async (request) => view(await deps.service.get(request.params.id), request));

  app.put<{ Params: { id: string } }>('/api/workflows/:id', {
    schema: {
      tags,
      summary: 'Replace the definition: saves a new version',
      params: IdParams,
      body: definitionBody,
      response: { 200: Type.Ref('Workflow'), 409: Type.Ref('Error'), ...errorResponses },
    },
  }, async (request) => view(await deps.service.update(request.params.id, request.body), request));

  app.delete<{ Params: { id: string } }>('/api/workflows/:id', {
    schema: { tags, summary: 'Delete a workflow (its executions stay)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deps.service.remove(request.params.id);
    return reply.code(204).send();
  });

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(`/api/workflows/:id/${action}`, {
      schema: { tags, summary: `${action === 'enable' ? 'Serve' : 'Stop serving'} the workflow's webhook URLs`, params: IdParams, response: { 200: Type.Ref('Workflow'), ...errorResponses } },
    }, async (request) => view(await deps.service.setEnabled(request.params.id, action === 'enable'), request));
  }

  app.get<{ Params: { id: string } }>('/api/workflows/:id/versions', {
    schema: { tags, summary: 'Every saved version, newest first', params: IdParams, response: { 200: Type.Object({ items: Type.Array(Type.Ref('WorkflowVersion')) }), ...errorResponses } },
  }, async (request) => {
    await deps.service.get(request.params.id);
    const versions = await listWorkflowVersions(deps.db, request.params.id);
    return { items: versions.map(({ version, definition, createdAt }) => ({ version, definition, createdAt })) };
  });
}
