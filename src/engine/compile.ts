import { HookflowError } from '../shared/errors.js';
import { compileConfig, type CompiledConfig } from './compile-config.js';
import {
  HTTP_METHODS, type HttpMethod, type NodeDefinition, type OnError, type RateLimitSpec, type RunMode,
  type TriggerSpec, type WorkflowDefinition,
} from './definition.js';
import { parseDuration } from './duration.js';
import { compileValue, type CompiledValue } from './expressions/index.js';
import type { AnyNodeType } from './node-type.js';
import type { NodeRegistry } from './registry.js';
import { validateDefinition } from './validate.js';

/** Default wait before the first retry, when `retry.backoffMs` is not set. */
export const DEFAULT_BACKOFF_MS = 1_000;

export type CompiledChild =
  | { readonly kind: 'list'; readonly nodes: readonly CompiledNode[] }
  | { readonly kind: 'lists'; readonly lists: readonly (readonly CompiledNode[])[] };

export interface CompiledNode {
  readonly key: string;
  readonly type: string;
  readonly nodeType: AnyNodeType;
  readonly onError: OnError;
  readonly retry: { readonly max: number; readonly backoffMs: number };
  readonly timeoutMs: number | undefined;
  readonly config: CompiledConfig;
  readonly children: ReadonlyMap<string, CompiledChild>;
  /** Keys of every node nested below this one (a loop gathers their per-iteration outputs). */
  readonly descendantKeys: readonly string[];
}

/** The trigger with defaults applied and its templates compiled, for ingress. */
export interface CompiledTrigger {
  readonly spec: TriggerSpec;
  readonly path: string | undefined;
  readonly methods: readonly HttpMethod[];
  readonly mode: RunMode;
  /** Unset: the server's `syncTimeoutMs`. */
  readonly timeoutMs: number | undefined;
  /** Unset: the server's `defaultWorkflowBodyBytes`. */
  readonly maxBodyBytes: number | undefined;
  readonly rateLimit: RateLimitSpec | undefined;
  readonly allowIps: readonly string[] | undefined;
  /** Evaluates (scope with `$secrets`) to the `verify` object with its secret resolved. */
  readonly verify: CompiledValue | undefined;
  /** `key` evaluates with `$context`; `windowMs` from `window`. */
  readonly dedup: { readonly key: CompiledValue; readonly windowMs: number } | undefined;
  /** Evaluates to `{status?, headers?, body?}`; the executor renders it for sync runs without a respond node. */
  readonly response: CompiledValue | undefined;
  /** Evaluates (scope with `$secrets`) to the `handshake` object. */
  readonly handshake: CompiledValue | undefined;
}

export interface CompiledWorkflow {
  readonly definition: WorkflowDefinition;
  readonly enabled: boolean;
  readonly trigger: CompiledTrigger;
  readonly nodes: readonly CompiledNode[];
}

/**
 * Validates the definition and compiles every template in it once: the
 * result is cached per workflow version and nothing is parsed per request.
 * Throws `invalid_definition` (details: the problems) if it does not validate.
 */
export function compileWorkflow(definition: WorkflowDefinition, registry: NodeRegistry): CompiledWorkflow {
  const result = validateDefinition(definition, registry);
  if (!result.ok) {
    const first = result.problems[0];
    const summary = first ? `${first.path}: ${first.message}` : '';
    throw new HookflowError('invalid_definition', `workflow definition has ${result.problems.length} problem(s); first: ${summary}`, {
      details: result.problems,
    });
  }
  return {
    definition,
    enabled: definition.enabled ?? true,
    trigger: compileTrigger(definition.trigger),
    nodes: compileList(definition.nodes, 'nodes', registry),
  };
}

function compileTrigger(spec: TriggerSpec): CompiledTrigger {
  return {
    spec,
    path: spec.path,
    methods: spec.methods ?? HTTP_METHODS,
    mode: spec.mode ?? 'sync',
    timeoutMs: spec.timeoutMs,
    maxBodyBytes: spec.maxBodyBytes,
    rateLimit: spec.rateLimit,
    allowIps: spec.allowIps,
    verify: spec.verify && compileValue(spec.verify, 'trigger.verify'),
    dedup: spec.dedup && { key: compileValue(spec.dedup.key, 'trigger.dedup.key'), windowMs: parseDuration(spec.dedup.window) },
    response: spec.response && compileValue(spec.response, 'trigger.response'),
    handshake: spec.handshake && compileValue(spec.handshake, 'trigger.handshake'),
  };
}

function compileList(nodes: readonly unknown[], path: string, registry: NodeRegistry): CompiledNode[] {
  return nodes.map((node, i) => compileNode(node as NodeDefinition, `${path}[${i}]`, registry));
}

function compileNode(node: NodeDefinition, path: string, registry: NodeRegistry): CompiledNode {
  const nodeType = registry.get(node.type) as AnyNodeType; // validated above
  const children = new Map<string, CompiledChild>();
  const descendantKeys: string[] = [];
  for (const [field, kind] of Object.entries(nodeType.children ?? {})) {
    const value = (node[field] ?? []) as unknown[];
    const child: CompiledChild =
      kind === 'list'
        ? { kind, nodes: compileList(value, `${path}.${field}`, registry) }
        : { kind, lists: value.map((list, i) => compileList(list as unknown[], `${path}.${field}[${i}]`, registry)) };
    children.set(field, child);
    for (const nested of child.kind === 'list' ? child.nodes : child.lists.flat()) {
      descendantKeys.push(nested.key, ...nested.descendantKeys);
    }
  }
  return {
    key: node.key,
    type: node.type,
    nodeType,
    onError: node.onError ?? 'stop',
    retry: { max: node.retry?.max ?? 0, backoffMs: node.retry?.backoffMs ?? DEFAULT_BACKOFF_MS },
    timeoutMs: node.timeoutMs,
    config: compileConfig(node, nodeType, path),
    children,
    descendantKeys,
  };
}
