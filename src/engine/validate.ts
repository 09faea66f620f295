import { Type, type TSchema } from '@sinclair/typebox';
import {
  NODE_KEY_PATTERN, NodeCommonFields, RESERVED_NODE_KEYS, WorkflowSpec, type WorkflowDefinition,
} from './definition.js';
import { containsTemplate } from './expressions/index.js';
import type { AnyNodeType, Problem } from './node-type.js';
import type { NodeRegistry } from './registry.js';
import { checkSchema, joinPath } from './schema-check.js';
import { checkTrigger, compileProblems } from './validate-trigger.js';

export type ValidationResult =
  | { ok: true; definition: WorkflowDefinition }
  | { ok: false; problems: Problem[] };

/**
 * Checks a workflow definition (parsed JSON or YAML) and reports EVERY
 * problem, each with a path such as `nodes[1].then[0].url` or `trigger.mode`:
 * schema errors, unknown node types, duplicate keys, unknown fields,
 * templates that do not compile, and each node type's own checks.
 *
 * @example
 * const result = validateDefinition(YAML.parse(text), registry);
 * if (!result.ok) throw new HookflowError('invalid_definition', 'definition has problems', { details: result.problems });
 */
export function validateDefinition(input: unknown, registry: NodeRegistry): ValidationResult {
  const problems = checkSchema(WorkflowSpec, input, {
    deferTemplate: (segments, value) =>
      segments[0] === 'trigger' && (segments[1] === 'response' || segments[1] === 'verify') && isTemplate(value),
  });
  if (isObject(input)) {
    if (isObject(input.trigger)) problems.push(...checkTrigger(input.trigger));
    if (Array.isArray(input.nodes)) {
      const walker = new NodeWalker(registry, problems);
      walker.list(input.nodes, 'nodes');
    }
  }
  return problems.length === 0 ? { ok: true, definition: input as WorkflowDefinition } : { ok: false, problems };
}

class NodeWalker {
  /** key → path of the node that has it. */
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly registry: NodeRegistry,
    private readonly problems: Problem[],
  ) {}

  list(nodes: unknown[], path: string): void {
    nodes.forEach((node, i) => this.node(node, `${path}[${i}]`));
  }

  private node(node: unknown, path: string): void {
    if (!isObject(node)) {
      this.problems.push({ path, message: 'must be a node: an object with at least "key" and "type"' });
      return;
    }
    this.checkKey(node.key, path);
    const nodeType = this.nodeType(node, path);
    if (nodeType === undefined) return;
    const templatable = (field: string | number | undefined) =>
      typeof field === 'string' && field in nodeType.config.properties && !(nodeType.raw ?? []).includes(field);
    const schemaProblems = checkSchema(nodeSchema(nodeType), node, {
      basePath: path,
      // A template's value is known only at run time; the engine checks it then.
      deferTemplate: (segments, value) => templatable(segments[0]) && isTemplate(value),
    });
    this.problems.push(...schemaProblems);
    if (nodeType.check && ownFieldsValid(nodeType, node, templatable)) {
      // A check's path may already be nested (`okStatus[1]`, `smtp.url`): appended as written, not quoted as one key.
      for (const p of nodeType.check(node)) this.problems.push({ path: p.path.startsWith('[') ? `${path}${p.path}` : `${path}.${p.path}`, message: p.message });
    }
    for (const field of Object.keys(nodeType.config.properties)) {
      if (templatable(field)) this.problems.push(...compileProblems(node[field], joinPath(path, field)));
    }
    for (const [field, kind] of Object.entries(nodeType.children ?? {})) {
      const value = node[field];
      if (!Array.isArray(value)) continue;
      if (kind === 'list') this.list(value, joinPath(path, field));
      else value.forEach((list: unknown, i) => Array.isArray(list) && this.list(list, `${joinPath(path, field)}[${i}]`));
    }
  }

  private checkKey(key: unknown, path: string): void {
    if (typeof key !== 'string' || key === '') return; // the schema reports it
    const at = `${path}.key`;
    if (!NODE_KEY_PATTERN.test(key)) {
      this.problems.push({ path: at, message: `"${key}" must start with a letter or "_" and hold only letters, digits and "_" (it is used as $nodes.${key})` });
    } else if (RESERVED_NODE_KEYS.has(key)) {
      this.problems.push({ path: at, message: `"${key}" is reserved; choose another key` });
    } else if (this.keys.has(key)) {
      this.problems.push({ path: at, message: `"${key}" is already the key of ${this.keys.get(key)}; keys must be unique in the workflow` });
    } else {
      this.keys.set(key, path);
    }
  }

  private nodeType(node: Record<string, unknown>, path: string): AnyNodeType | undefined {
    const { type } = node;
    const nodeType = typeof type === 'string' ? this.registry.get(type) : undefined;
    if (nodeType !== undefined) return nodeType;
    const known = this.registry.list().map((t) => t.type).join(', ');
    if (typeof type === 'string') this.problems.push({ path: `${path}.type`, message: `unknown node type "${type}"; known types: ${known}` });
    else this.problems.push({ path: `${path}.type`, message: type === undefined ? 'is required' : 'must be a string' });
    if (node.key === undefined) this.problems.push({ path: `${path}.key`, message: 'is required' });
    return undefined;
  }
}

/**
 * Whether the type's own fields pass its schema (templates aside), so its
 * `check` may rely on their types even when other fields have problems.
 */
function ownFieldsValid(nodeType: AnyNodeType, node: Record<string, unknown>, templatable: (field: string | number | undefined) => boolean): boolean {
  const own: Record<string, unknown> = {};
  for (const field of Object.keys(nodeType.config.properties)) if (node[field] !== undefined) own[field] = node[field];
  return checkSchema(nodeType.config, own, { deferTemplate: (segments, value) => templatable(segments[0]) && isTemplate(value) }).length === 0;
}

const nodeSchemas = new WeakMap<AnyNodeType, TSchema>();

/** The whole node as written: common fields, the type's own fields and its child lists; nothing else. */
export function nodeSchema(nodeType: AnyNodeType): TSchema {
  let schema = nodeSchemas.get(nodeType);
  if (schema === undefined) {
    const children: Record<string, TSchema> = {};
    for (const [field, kind] of Object.entries(nodeType.children ?? {})) {
      children[field] = Type.Optional(
        kind === 'list'
          ? Type.Array(Type.Unknown(), { hint: 'must be a list of nodes' })
          : Type.Array(Type.Array(Type.Unknown(), { hint: 'must be a list of nodes' }), { hint: 'must be a list of node lists' }),
      );
    }
    schema = Type.Object({ ...NodeCommonFields, ...nodeType.config.properties, ...children }, { additionalProperties: false });
    nodeSchemas.set(nodeType, schema);
  }
  return schema;
}

function isTemplate(value: unknown): boolean {
  return typeof value === 'string' && containsTemplate(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
