import type { TSchema } from '@sinclair/typebox';
import { PermanentFailure } from '../shared/errors.js';
import { compileValue, type CompiledValue, type Scope } from './expressions/index.js';
import type { AnyNodeType } from './node-type.js';
import { checkSchema } from './schema-check.js';

/** A node's own fields, compiled once; `evaluate` gives what `run` receives. */
export interface CompiledConfig {
  /** No templates: `evaluate` returns the same object every time. */
  readonly isStatic: boolean;
  /**
   * Throws `ExpressionError` when a template fails, and `PermanentFailure`
   * (`node_failed`) when evaluated values break the node type's schema.
   */
  evaluate(scope: Scope): Record<string, unknown>;
}

/**
 * Splits the fields into a static part (built once, shared by every run: nodes
 * MUST NOT mutate their config) and compiled templates evaluated per run. The
 * schema is checked again after evaluation only when a template sits in a
 * field the schema constrains: `if` or `body` (any value) cost nothing.
 */
export function compileConfig(node: Record<string, unknown>, nodeType: AnyNodeType, path: string): CompiledConfig {
  const properties = nodeType.config.properties as Record<string, TSchema>;
  const raw = nodeType.raw ?? [];
  const fixed: Record<string, unknown> = {};
  const dynamic: [string, CompiledValue][] = [];
  let needsCheck = false;
  for (const field of Object.keys(properties)) {
    const value = node[field];
    if (value === undefined) continue;
    if (raw.includes(field)) {
      fixed[field] = value;
      continue;
    }
    const compiled = compileValue(value, `${path}.${field}`);
    if (compiled.isStatic) {
      fixed[field] = value;
    } else {
      dynamic.push([field, compiled]);
      needsCheck ||= constrains(properties[field] as TSchema);
    }
  }
  if (dynamic.length === 0) return { isStatic: true, evaluate: () => fixed };
  const schema = nodeType.config;
  return {
    isStatic: false,
    evaluate(scope) {
      const config: Record<string, unknown> = { ...fixed };
      for (const [field, compiled] of dynamic) {
        const value = compiled.evaluate(scope);
        // A template giving `undefined` leaves the field unset, so the node's default applies.
        if (value !== undefined) config[field] = value;
      }
      if (needsCheck) {
        const problems = checkSchema(schema, config);
        if (problems.length > 0) {
          const summary = problems.map((p) => `${p.path} ${p.message}`).join('; ');
          throw new PermanentFailure('node_failed', `after evaluating templates: ${summary}`, { details: problems });
        }
      }
      return config;
    },
  };
}

const ANNOTATIONS = new Set(['title', 'description', 'hint', 'default', 'examples']);

/** False for schemas any value passes (`Type.Unknown()`, `Type.Any()`). */
function constrains(schema: TSchema): boolean {
  return Object.keys(schema).some((k) => !ANNOTATIONS.has(k));
}
