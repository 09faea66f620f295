import { HookflowError } from '../shared/errors.js';
import { NodeCommonFields } from './definition.js';
import type { AnyNodeType } from './node-type.js';

/** The node types a server knows. Third parties add theirs with `register`. */
export interface NodeRegistry {
  get(type: string): AnyNodeType | undefined;
  /** Throws if the type is already registered or its fields clash with the common ones. */
  register(nodeType: AnyNodeType): void;
  list(): readonly AnyNodeType[];
}

const TYPE_PATTERN = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/;

/**
 * @example
 * const registry = createNodeRegistry(coreNodeTypes);
 * registry.register(myNodeType);
 */
export function createNodeRegistry(types: readonly AnyNodeType[] = []): NodeRegistry {
  const byType = new Map<string, AnyNodeType>();
  const registry: NodeRegistry = {
    get: (type) => byType.get(type),
    register(nodeType) {
      assertWellFormed(nodeType);
      if (byType.has(nodeType.type)) {
        throw new HookflowError('conflict', `node type "${nodeType.type}" is already registered`);
      }
      byType.set(nodeType.type, nodeType);
    },
    list: () => [...byType.values()],
  };
  for (const nodeType of types) registry.register(nodeType);
  return registry;
}

function assertWellFormed(nodeType: AnyNodeType): void {
  const problem = (message: string) => new HookflowError('internal', `node type "${nodeType.type}": ${message}`);
  if (!TYPE_PATTERN.test(nodeType.type)) throw problem('type must look like "http" or "record.create"');
  if (nodeType.config.type !== 'object') throw problem('config must be a TypeBox object schema');
  const own = Object.keys(nodeType.config.properties);
  const children = Object.keys(nodeType.children ?? {});
  for (const field of [...own, ...children]) {
    if (field in NodeCommonFields) throw problem(`field "${field}" clashes with a common node field`);
  }
  for (const field of children) {
    if (own.includes(field)) throw problem(`child field "${field}" is also declared in config`);
  }
  for (const field of nodeType.raw ?? []) {
    if (!own.includes(field)) throw problem(`raw field "${field}" is not declared in config`);
  }
}
