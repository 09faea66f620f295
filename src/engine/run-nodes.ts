/**
 * The node tree walk: sequences in order, the child lists a node chose,
 * loop iterations and parallel branches. Each function returns whether the
 * sequence it is part of may go on.
 */
import { HookflowError, toErrorRecord } from '../shared/errors.js';
import { isoFormatter } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import type { CompiledChild, CompiledNode } from './compile.js';
import { logsOf, type NodeResult, type ReplayedResult } from './node-type.js';
import { runAttempts, type AttemptsOutcome } from './node-attempts.js';
import { Interrupted, type Frame, type RunState } from './run-state.js';
import type { JobRecord } from './run.js';

const jobTime = isoFormatter();

export async function runList(nodes: readonly CompiledNode[], frame: Frame, state: RunState): Promise<boolean> {
  for (const node of nodes) {
    if (state.halt !== undefined) return false;
    if (state.request.signal?.aborted) {
      state.halt = { kind: 'interrupted' };
      return false;
    }
    if (!(await runNode(node, frame, state))) return false;
  }
  return true;
}

async function runNode(node: CompiledNode, frame: Frame, state: RunState): Promise<boolean> {
  const path = frame.prefix + node.key;
  const done = state.completed.get(path);
  let decided: ReplayedResult | boolean;
  if (done !== undefined) {
    frame.nodes[node.key] = done.output;
    decided = node.nodeType.replay?.(done) ?? { branch: done.branch ?? undefined };
    if (decided.respond !== undefined) state.responded = true;
  } else {
    decided = await executeNode(node, path, frame, state);
    if (typeof decided === 'boolean') return decided;
  }
  if (decided.end !== undefined) {
    state.halt ??= { kind: 'ended', status: decided.end, nodeKey: node.key, message: endMessage(frame.nodes[node.key]) };
    return false;
  }
  if (decided.branch === undefined) return true;
  const child = node.children.get(decided.branch);
  if (child === undefined) return true;
  if (decided.iterate !== undefined) return runIterations(node, child, decided.iterate, frame, state);
  return runChild(child, frame, state);
}

/**
 * Runs the node's attempts and records its job. Returns what the node decided
 * or, when it did not succeed, whether the sequence goes on: `true` after a
 * failure with `onError: continue`, `false` after one with `stop`, an
 * interruption or a crash.
 */
async function executeNode(node: CompiledNode, path: string, frame: Frame, state: RunState): Promise<NodeResult | boolean> {
  const { clock } = state.ports;
  const startedAt = jobTime(clock.now());
  let input: Record<string, unknown> | null = null;
  let outcome: AttemptsOutcome;
  try {
    input = node.config.evaluate(frame.scope);
    outcome = await runAttempts(node, input, { scope: frame.scope, path }, state);
    if (outcome.ok) {
      const wrong = resultProblem(node, outcome.result);
      if (wrong !== undefined) outcome = { ok: false, error: wrong, attempts: outcome.attempts };
    }
  } catch (error) {
    if (error instanceof Interrupted) {
      state.halt ??= { kind: 'interrupted' };
      return false;
    }
    // Only template evaluation throws here: the node never ran.
    outcome = { ok: false, error, attempts: 0 };
  }
  const job: JobRecord = {
    id: newId(),
    executionId: state.execution.executionId,
    path,
    nodeKey: node.key,
    type: node.type,
    status: outcome.ok ? 'succeeded' : 'failed',
    branch: outcome.ok ? (outcome.result.branch ?? null) : null,
    input,
    output: outcome.ok ? outcome.result.output : null,
    error: outcome.ok ? null : toErrorRecord(outcome.error, node.key),
    attempts: outcome.attempts,
    startedAt,
    finishedAt: jobTime(clock.now()),
  };
  const logs = outcome.ok ? outcome.result.logs : logsOf(outcome.error);
  if (logs !== undefined && logs.length > 0) job.logs = logs;
  if (outcome.ok) {
    frame.nodes[node.key] = outcome.result.output;
    const reply = outcome.result.respond;
    if (reply !== undefined && !state.responded) {
      state.responded = true;
      try {
        state.request.onRespond(reply);
      } catch (err) {
        state.ports.logger.error({ err, nodeKey: node.key }, 'onRespond threw');
      }
    }
  } else if (node.onError === 'continue') {
    const { code, message } = job.error as { code: string; message: string };
    frame.nodes[node.key] = { error: { code, message } };
  } else {
    state.failure ??= job.error ?? undefined;
  }
  try {
    const pending = state.request.onJob(job);
    if (pending !== undefined) await pending;
  } catch (error) {
    state.halt = { kind: 'crashed', error };
    return false;
  }
  return outcome.ok ? outcome.result : node.onError === 'continue';
}

/** A node type that breaks the contract fails its node, not the engine. */
function resultProblem(node: CompiledNode, result: NodeResult): HookflowError | undefined {
  const fault = (message: string) => new HookflowError('internal', `node type "${node.type}" ${message}`);
  if (result === null || typeof result !== 'object') return fault('returned no result');
  if (result.branch !== undefined && !node.children.has(result.branch)) return fault(`chose unknown branch "${result.branch}"`);
  if (result.iterate !== undefined && !Array.isArray(result.iterate)) return fault('returned a non-array iterate');
  if (result.iterate !== undefined && result.branch === undefined) return fault('returned iterate without a branch');
  return undefined;
}

async function runChild(child: CompiledChild, frame: Frame, state: RunState): Promise<boolean> {
  if (child.kind === 'list') return runList(child.nodes, frame, state);
  // Branches share `$nodes` (keys are unique, so they never overwrite each other).
  const settled = await Promise.all(child.lists.map((list) => runList(list, frame, state)));
  return settled.every(Boolean);
}

/**
 * Runs `child` once per item, in order. Each iteration sees the outer `$nodes`
 * plus its own children's outputs; afterwards `$nodes.<child>` outside the
 * loop is the list of that child's per-iteration outputs (`null` where it did
 * not run).
 */
async function runIterations(node: CompiledNode, child: CompiledChild, items: readonly unknown[], frame: Frame, state: RunState): Promise<boolean> {
  const gathered = node.descendantKeys.map((key) => [key, new Array<unknown>(items.length).fill(null)] as const);
  let ok = true;
  for (let index = 0; index < items.length && ok; index++) {
    const nodes = { ...frame.nodes };
    const scope = { ...frame.scope, $nodes: nodes, $item: items[index], $index: index };
    ok = await runChild(child, { scope, nodes, prefix: `${frame.prefix}${node.key}[${index}].` }, state);
    for (const [key, outputs] of gathered) if (Object.hasOwn(nodes, key)) outputs[index] = nodes[key];
  }
  for (const [key, outputs] of gathered) frame.nodes[key] = outputs;
  return ok;
}

function endMessage(output: unknown): string | undefined {
  const message = (output as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}
