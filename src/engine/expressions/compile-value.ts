import { compileNode } from './compile-ast.js';
import { type Evaluate, rootEnv } from './compile-env.js';
import { interpolationText } from './convert.js';
import { ExpressionSyntaxError, toExpressionError } from './errors.js';
import { expressionLimits } from './limits.js';
import { parseExpression } from './parse.js';
import { type Ctx, type Scope, checkStringLength, newCtx, setOwn } from './runtime.js';
import { containsTemplate, splitTemplate } from './template.js';

/**
 * A value from a workflow definition, compiled once. `evaluate` runs it
 * against a scope. A static value returns the very object it was compiled
 * from, shared between calls: callers MUST NOT mutate what `evaluate`
 * returns. The same holds for data an expression hands back unchanged, such as
 * `{{ $context.data }}`, which is the scope's own object.
 */
export interface CompiledValue {
  readonly isStatic: boolean;
  evaluate(scope: Scope): unknown;
}

/** The compiled tree; `run` lets nested values share one budget. */
abstract class Compiled implements CompiledValue {
  abstract readonly isStatic: boolean;
  abstract run(ctx: Ctx): unknown;

  evaluate(scope: Scope): unknown {
    return this.run(newCtx(scope));
  }
}

class StaticValue extends Compiled {
  readonly isStatic = true;

  constructor(private readonly value: unknown) {
    super();
  }

  override evaluate(): unknown {
    return this.value;
  }

  run(): unknown {
    return this.value;
  }
}

/** One expression whose value keeps its type: `"{{ $context.data }}"` or a bare expression. */
class ExpressionValue extends Compiled {
  readonly isStatic = false;

  constructor(
    private readonly fn: Evaluate,
    private readonly path: string,
    private readonly source: string,
  ) {
    super();
  }

  run(ctx: Ctx): unknown {
    try {
      return this.fn(ctx);
    } catch (err) {
      throw toExpressionError(err, this.path, this.source);
    }
  }
}

/** Text with `{{ }}` segments, always producing a string. */
class InterpolatedText extends Compiled {
  readonly isStatic = false;

  constructor(
    private readonly parts: readonly (string | Evaluate)[],
    private readonly path: string,
    private readonly source: string,
  ) {
    super();
  }

  run(ctx: Ctx): string {
    try {
      let out = '';
      for (const part of this.parts) {
        const text = typeof part === 'string' ? part : interpolationText(ctx, part(ctx));
        checkStringLength(out.length + text.length);
        out += text;
      }
      return out;
    } catch (err) {
      throw toExpressionError(err, this.path, this.source);
    }
  }
}

class ArrayValue extends Compiled {
  readonly isStatic = false;

  constructor(private readonly items: readonly Compiled[]) {
    super();
  }

  run(ctx: Ctx): unknown[] {
    return this.items.map((item) => item.run(ctx));
  }
}

class ObjectValue extends Compiled {
  readonly isStatic = false;

  constructor(private readonly entries: readonly (readonly [string, Compiled])[]) {
    super();
  }

  run(ctx: Ctx): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of this.entries) setOwn(out, key, value.run(ctx));
    return out;
  }
}

/** Compiles a bare expression, adding the path and source to any syntax error. */
function compileSource(source: string, path: string): Evaluate {
  try {
    return compileNode(parseExpression(source), rootEnv);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) {
      throw new ExpressionSyntaxError(err.reason, { path, source: source.trim(), index: err.index, cause: err.cause });
    }
    // A syntax tree shape jsep's plugins produce that we did not foresee: still
    // the author's input, so still a syntax error rather than a crash.
    const reason = err instanceof RangeError ? 'the expression is nested too deeply' : 'the expression has an unsupported form';
    throw new ExpressionSyntaxError(reason, { path, source: source.trim(), cause: err });
  }
}

/** `{{ expr }}` with nothing but whitespace around it: the source of `expr`, else undefined. */
function singleTemplate(text: string, path: string): string | undefined {
  const segments = splitTemplate(text, path);
  const expressions = segments.filter((s) => s.kind === 'expression');
  if (expressions.length !== 1) return undefined;
  const onlyWhitespace = segments.every((s) => s.kind === 'expression' || s.text.trim() === '');
  return onlyWhitespace ? (expressions[0] as { source: string }).source : undefined;
}

function compileString(text: string, path: string): Compiled {
  if (!containsTemplate(text)) return new StaticValue(text);
  const single = singleTemplate(text, path);
  if (single !== undefined) return new ExpressionValue(compileSource(single, path), path, single.trim());
  const parts = splitTemplate(text, path).map((s) => (s.kind === 'text' ? s.text : compileSource(s.source, path)));
  return new InterpolatedText(parts, path, text);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function compileTree(value: unknown, path: string, depth: number): Compiled {
  if (typeof value === 'string') return compileString(value, path);
  // YAML aliases can build cyclic definitions; refuse them instead of overflowing the stack.
  if (depth > expressionLimits.maxDataDepth) throw new ExpressionSyntaxError('the value is nested too deeply', { path });
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, i) => compileTree(item, childPath(path, i), depth + 1));
    return items.every((item) => item.isStatic) ? new StaticValue(value) : new ArrayValue(items);
  }
  if (isPlainObject(value)) {
    const entries = Object.keys(value).map((key) => [key, compileTree(value[key], childPath(path, key), depth + 1)] as const);
    return entries.every(([, item]) => item.isStatic) ? new StaticValue(value) : new ObjectValue(entries);
  }
  return new StaticValue(value);
}

/**
 * Deep-compiles a JSON-like value: strings holding `{{ }}` become evaluators,
 * arrays and objects are walked (their keys stay as written). A string that is
 * exactly one template keeps the value's type; otherwise the parts are joined
 * as text. Throws `ExpressionSyntaxError`, naming `path`, on bad syntax.
 *
 * @example
 * const url = compileValue('https://ci.example/{{ $context.params.repo }}', 'nodes[2].url');
 * url.evaluate({ $context: { params: { repo: 'hookflow' } } }); // 'https://ci.example/hookflow'
 * compileValue('{{ $context.data.count + 1 }}').evaluate({ $context: { data: { count: 1 } } }); // 2
 */
export function compileValue(value: unknown, path = ''): CompiledValue {
  return compileTree(value, path, 0);
}

/**
 * Compiles a bare expression (no braces), such as a condition's `if` written
 * as `$nodes.branch.name === 'main'`. A source that is itself exactly one
 * `{{ }}` template is accepted too. The value keeps its type.
 *
 * @example
 * compileExpression("$context.method === 'POST'").evaluate({ $context: { method: 'POST' } }); // true
 */
export function compileExpression(source: string, path = ''): CompiledValue {
  const trimmed = source.trim();
  const inner = trimmed.startsWith('{{') ? singleTemplate(trimmed, path) : undefined;
  const expression = inner ?? source;
  return new ExpressionValue(compileSource(expression, path), path, expression.trim());
}
