import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { TriggerContext } from '../engine/run.js';
import type { Runner } from '../runs/runner.js';
import { HookflowError } from '../shared/errors.js';
import { getExecution, listExecutions, type ExecutionRecord, type ExecutionStatus } from '../store/executions.js';
import { listJobs } from '../store/jobs.js';
import type { Database } from '../store/schema.js';
import { getWorkflow } from '../store/workflows.js';
import type { WorkflowCatalog } from '../workflows/catalog.js';
import { IdParams, Page, errorResponses } from './schemas.js';

const summary = ({ leaseOwner: _owner, leaseUntil: _until, requestId: _request, ...rest }: ExecutionRecord) => rest;

/** Executions: list with filters and a cursor, get with jobs, retry. */
export async function executionRoutes(app: FastifyInstance, deps: { db: Kysely<Database>; runner: Runner; catalog: WorkflowCatalog }): Promise<void> {
  const tags = ['executions'];

  app.get<{ Querystring: { workflowId?: string; status?: ExecutionStatus; limit?: number; cursor?: string } }>('/api/executions', {
    schema: {
      tags,
      summary: 'List executions, newest first',
      querystring: Type.Composite([
        Type.Object({
          workflowId: Type.Optional(Type.String()),
          status: Type.Optional(Type.String({ enum: ['queued', 'running', 'succeeded', 'failed'] })),
        }),
        Page,
      ]),
      response: { 200: Type.Object({ items: Type.Array(Type.Ref('ExecutionSummary')), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request) => {
    const { workflowId, status, limit, cursor } = request.query;
    const page = await listExecutions(deps.db, { workflowId, status, cursor, limit: limit ?? 50 });
    return { items: page.items.map(summary), nextCursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>('/api/executions/:id', {
    schema: { tags, summary: 'An execution with one job per node run', params: IdParams, response: { 200: Type.Ref('Execution'), ...errorResponses } },
  }, async (request) => {
    const execution = await getExecution(deps.db, request.params.id);
    if (!execution) throw new HookflowError('not_found', `no execution ${request.params.id}`);
    const jobs = await listJobs(deps.db, execution.id);
    return { ...summary(execution), jobs };
  });

  app.post<{ Params: { id: string } }>('/api/executions/:id/retry', {
    schema: {
      tags,
      summary: 'Run again on the same trigger data, in the background, on the workflow\'s current version',
      params: IdParams,
      response: { 202: Type.Object({ executionId: Type.String(), retryOf: Type.String() }), 409: Type.Ref('Error'), ...errorResponses },
    },
  }, async (request, reply) => {
    const original = await getExecution(deps.db, request.params.id);
    if (!original) throw new HookflowError('not_found', `no execution ${request.params.id}`);
    const workflow = await getWorkflow(deps.db, original.workflowId);
    if (!workflow) throw new HookflowError('conflict', `workflow ${original.workflowId} was deleted; its executions cannot run again`);
    const compiled = await deps.catalog.compiled(workflow.id, workflow.version);
    if (!compiled) throw new HookflowError('conflict', `workflow ${workflow.id} version ${workflow.version} does not compile`);
    const accepted = deps.runner.accept({
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      compiled,
      context: original.trigger as TriggerContext,
      retryOf: original.id,
    });
    await accepted.persisted;
    return reply.code(202).send({ executionId: accepted.executionId, retryOf: original.id });
  });
}
