/**
 * The contract between the engine and a node type. A node type declares its
 * own fields as a TypeBox object schema and a `run` function; the engine
 * validates definitions, evaluates templates, retries, times out, records
 * jobs and decides what runs next from what `run` returns.
 */
import type { Static, TObject } from '@sinclair/typebox';
import type { Scope } from './expressions/index.js';
import type { Logger } from '../shared/logger.js';
import type { EnginePorts } from './ports.js';
import type { HttpReply } from './run.js';

/** A validation problem. `path` is relative to where it is reported (a node, or the workflow). */
export interface Problem {
  path: string;
  message: string;
}

/** `list`: a field holding `[nodes]` (run in order). `lists`: `[[nodes], …]` (lists run concurrently). */
export type ChildKind = 'list' | 'lists';

/** What a node reports; the engine decides what happens next. */
export interface NodeResult {
  /** JSON-serialisable; becomes `$nodes.<key>` and the job's output. */
  output: unknown;
  /** Name of a child field to run next (`then`, `else`, `do`, `branches`); none runs without it. */
  branch?: string;
  /** Run the `branch` child list once per item, in order, with `$item` and `$index`. */
  iterate?: unknown[];
  /** The sync HTTP reply; the engine passes only the run's first one on. */
  respond?: HttpReply;
  /** Stop the whole run after this node. With `failed`, a string `output.message` becomes the run's error message. */
  end?: 'succeeded' | 'failed';
  /**
   * Lines the node logged for the user (a `code` node's `console.log`), kept
   * on its job. A node that fails may attach them to the error it throws
   * (`Object.assign(error, { logs })`): see {@link logsOf}.
   */
  logs?: string[];
}

/** The `logs` a failing node attached to its error, if any. */
export function logsOf(error: unknown): string[] | undefined {
  const logs = (error as { logs?: unknown } | null | undefined)?.logs;
  return Array.isArray(logs) && logs.length > 0 ? (logs as string[]) : undefined;
}

/** What a replayed job (completed in an earlier attempt of the run) still decides. */
export type ReplayedResult = Omit<NodeResult, 'output'>;

/** A completed job, as `replay` sees it. */
export interface ReplayedJob {
  input: unknown;
  output: unknown;
  branch: string | null;
}

export interface NodeContext<C> {
  /** The node's own fields, templates already evaluated (raw fields as written). */
  readonly config: C;
  /** `$context`, `$nodes`, `$item`, `$index`, `$secrets`, `$system`. Do not mutate. */
  readonly scope: Readonly<Scope>;
  /** Aborted on the node's timeout and on shutdown; pass it to every port call. */
  readonly signal: AbortSignal;
  readonly ports: EnginePorts;
  readonly execution: { readonly executionId: string; readonly workflowId: string; readonly workflowVersion: number };
  readonly node: { readonly key: string; readonly path: string; readonly attempt: number };
  readonly logger: Logger;
}

export interface NodeType<S extends TObject = TObject> {
  /** Unique in a registry, e.g. `http` or `record.create`. */
  readonly type: string;
  readonly description: string;
  /**
   * The node's own fields (not the common `key`, `type`, `title`, `onError`,
   * `retry`, `timeoutMs`, nor child lists). Unknown fields are errors. Values
   * may be templates: the schema is checked on the written definition where a
   * field is not a template, and again on the evaluated value at run time.
   */
  readonly config: S;
  /** Fields holding node lists, e.g. `{ then: 'list', else: 'list' }` or `{ branches: 'lists' }`. */
  readonly children?: Readonly<Record<string, ChildKind>>;
  /** Fields passed to `run` as written, never evaluated as templates (e.g. code). */
  readonly raw?: readonly string[];
  /**
   * Checks beyond the schema, on the written fields (values may still be
   * templates: check with `containsTemplate`). Paths relative to the node,
   * e.g. `url` or `okStatus[1]`. Called only when the type's own fields pass the schema.
   */
  check?(fields: Static<S>): Problem[];
  run(ctx: NodeContext<Static<S>>): NodeResult | Promise<NodeResult>;
  /**
   * On resume, what a completed job of this type still decides. Default:
   * `{ branch: job.branch }`. A loop returns its items, `respond` its reply
   * (marking the run as answered), `end` its status.
   */
  replay?(job: ReplayedJob): ReplayedResult;
}

/** Identity with inference: `defineNode({ type: 'set', config: SetConfig, run })`. */
export function defineNode<S extends TObject>(nodeType: NodeType<S>): NodeType<S> {
  return nodeType;
}

/**
 * A node type whose config type is not known here (a registry holds many).
 * `any`, not `TObject`: `run` takes its config contravariantly, so a
 * `NodeType<typeof HttpConfig>` is not a `NodeType<TObject>`.
 */
export type AnyNodeType = NodeType<any>;
