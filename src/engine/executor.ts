import { isoFormatter } from '../shared/clock.js';
import { HookflowError, toErrorRecord, type ErrorRecord } from '../shared/errors.js';
import type { CompiledWorkflow } from './compile.js';
import { ResponseSpec } from './definition.js';
import type { Scope } from './expressions/index.js';
import type { EnginePorts } from './ports.js';
import { runList } from './run-nodes.js';
import { createRunState, type RunState } from './run-state.js';
import type { HttpReply, RunOutcome, RunRequest } from './run.js';
import { checkSchema } from './schema-check.js';

const startIso = isoFormatter();

/**
 * Runs a compiled workflow once (or resumes it, given `completedJobs`).
 *
 * Nodes run in order; `$nodes.<key>` holds each earlier node's output. Per
 * node: templates evaluated, `retry` and `timeoutMs` applied, one job
 * recorded through `onJob` (awaited before the next node starts), then what
 * the node chose: a branch, one run of a child list per loop item, all
 * parallel branches at once, or the end of the run. `onError: continue`
 * records the failure, sets `$nodes.<key>` to `{ error: { code, message } }`
 * and goes on; `stop` fails the run (parallel branches settle first).
 *
 * Resolves `succeeded`, `failed` (error naming the node) or `interrupted`
 * (`request.signal` aborted); rejects only if `onJob` throws.
 *
 * @example
 * const outcome = await runWorkflow(compiled, {
 *   executionId, workflowId, workflowVersion: 1, context, secrets: {},
 *   onJob: (job) => saveJob(db, job), onRespond: (reply) => send(reply),
 * }, ports);
 */
export async function runWorkflow(workflow: CompiledWorkflow, request: RunRequest, ports: EnginePorts): Promise<RunOutcome> {
  const state = createRunState(workflow, request, ports);
  const nodes: Record<string, unknown> = {};
  const scope: Scope = {
    $context: request.context,
    $nodes: nodes,
    $secrets: request.secrets,
    $system: { now: startIso(ports.clock.now()), executionId: request.executionId, workflowId: request.workflowId },
  };
  await runList(workflow.nodes, { scope, nodes, prefix: '' }, state);
  return finish(state, scope);
}

function finish(state: RunState, scope: Scope): RunOutcome {
  const { halt } = state;
  if (halt?.kind === 'crashed') throw halt.error;
  if (state.failure !== undefined) return { status: 'failed', error: state.failure };
  if (halt?.kind === 'interrupted') return { status: 'interrupted' };
  if (halt?.kind === 'ended' && halt.status === 'failed') {
    const message = halt.message ?? `node "${halt.nodeKey}" ended the run as failed`;
    return { status: 'failed', error: { code: 'node_failed', message, nodeKey: halt.nodeKey } };
  }
  const { trigger } = state.workflow;
  if (!state.responded && trigger.mode === 'sync' && trigger.response !== undefined) {
    const rendered = renderTriggerResponse(state, scope);
    if ('code' in rendered) return { status: 'failed', error: rendered };
    try {
      state.request.onRespond(rendered);
    } catch (err) {
      state.ports.logger.error({ err }, 'onRespond threw');
    }
  }
  return { status: 'succeeded' };
}

/** `trigger.response` evaluated against the finished run's scope. */
function renderTriggerResponse(state: RunState, scope: Scope): HttpReply | ErrorRecord {
  try {
    const value = state.workflow.trigger.response?.evaluate(scope) ?? {};
    const problems = checkSchema(ResponseSpec, value, { basePath: 'trigger.response' });
    if (problems.length > 0) {
      const summary = problems.map((p) => `${p.path} ${p.message}`).join('; ');
      throw new HookflowError('run_failed', `after evaluating templates: ${summary}`, { details: problems });
    }
    const spec = value as ResponseSpec;
    return { status: spec.status ?? 200, headers: spec.headers ?? {}, body: spec.body ?? null };
  } catch (err) {
    return toErrorRecord(err);
  }
}
