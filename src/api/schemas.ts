import { Type } from '@sinclair/typebox';

/** Shapes of the management API, for validation and the OpenAPI document. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'Error', description: 'Every error: a stable code, a message, and for validation the problems with their paths.' },
);

const Json = Type.Unknown({ description: 'Any JSON value' });

export const Workflow = Type.Object(
  {
    id: Type.String(),
    key: Type.String({ description: 'The secret part of the webhook URL (at least 128 random bits).' }),
    title: Type.String(),
    enabled: Type.Boolean(),
    version: Type.Integer(),
    path: Type.Union([Type.String(), Type.Null()]),
    webhookUrls: Type.Array(Type.String()),
    definition: Type.Object({}, { additionalProperties: true }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Workflow' },
);

export const WorkflowVersion = Type.Object(
  { version: Type.Integer(), definition: Type.Object({}, { additionalProperties: true }), createdAt: Type.String() },
  { $id: 'WorkflowVersion' },
);

export const Job = Type.Object(
  {
    nodeKey: Type.String(),
    path: Type.String({ description: 'Unique per run; loop iterations appear as `loop[2].child`.' }),
    type: Type.String(),
    status: Type.String({ enum: ['succeeded', 'failed'] }),
    branch: Type.Union([Type.String(), Type.Null()]),
    input: Json,
    output: Json,
    error: Json,
    attempts: Type.Integer(),
    startedAt: Type.String(),
    finishedAt: Type.String(),
    logs: Type.Optional(Type.Array(Type.String(), { description: 'What the node logged (a `code` node\'s `console.*` lines); absent when nothing.' })),
  },
  { $id: 'Job' },
);

const executionFields = {
  id: Type.String(),
  workflowId: Type.String(),
  workflowVersion: Type.Integer(),
  status: Type.String({ enum: ['queued', 'running', 'succeeded', 'failed'] }),
  mode: Type.String({ enum: ['sync', 'async'] }),
  attempt: Type.Integer(),
  trigger: Json,
  response: Json,
  error: Json,
  retryOf: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
};

export const ExecutionSummary = Type.Object(executionFields, { $id: 'ExecutionSummary' });
export const Execution = Type.Object({ ...executionFields, jobs: Type.Array(Type.Ref('Job')) }, { $id: 'Execution' });

export const RequestEntry = Type.Object(
  {
    id: Type.String(),
    receivedAt: Type.String(),
    ip: Type.String(),
    method: Type.String(),
    path: Type.String(),
    workflowId: Type.Union([Type.String(), Type.Null()]),
    executionId: Type.Union([Type.String(), Type.Null()]),
    outcome: Type.String(),
    status: Type.Integer(),
    latencyMs: Type.Number(),
    headers: Type.Record(Type.String(), Type.String()),
    reason: Type.Union([Type.String(), Type.Null()]),
    bodyBytes: Type.Integer(),
  },
  { $id: 'RequestEntry' },
);

export const IdParams = Type.Object({ id: Type.String() });

export const Page = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ description: '`nextCursor` of the previous page' })),
});

export const sharedSchemas = [ErrorResponse, Workflow, WorkflowVersion, Job, ExecutionSummary, Execution, RequestEntry];

/** The error responses every authenticated route may give. */
export const errorResponses = {
  400: Type.Ref('Error'),
  401: Type.Ref('Error'),
  404: Type.Ref('Error'),
};
