import { HookflowError } from '../../shared/errors.js';

const SOURCE_IN_MESSAGE = 120;

function quote(text: string): string {
  const source = text.trim();
  const short = source.length > SOURCE_IN_MESSAGE ? `${source.slice(0, SOURCE_IN_MESSAGE)}…` : source;
  return JSON.stringify(short);
}

function withPath(path: string, text: string): string {
  return path === '' ? text : `${path}: ${text}`;
}

export interface ExpressionSyntaxErrorOptions {
  /** Where the value sits in the definition, e.g. `nodes[2].url`. */
  path?: string;
  /** The expression (or whole template string) that failed to compile. */
  source?: string;
  /** Character offset in `source`, when the parser knows it. */
  index?: number;
  cause?: unknown;
}

/**
 * A template or expression that cannot compile. Thrown by `compileValue` and
 * `compileExpression`, so a definition is refused when it is saved, with the
 * path to the bad value.
 */
export class ExpressionSyntaxError extends Error {
  readonly path: string;
  /** The message without the path and source. */
  readonly reason: string;
  readonly source: string;
  readonly index: number | undefined;

  constructor(reason: string, options: ExpressionSyntaxErrorOptions = {}) {
    const path = options.path ?? '';
    const source = options.source ?? '';
    const text = source === '' ? reason : `${reason} in ${quote(source)}`;
    super(withPath(path, text), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExpressionSyntaxError';
    this.path = path;
    this.reason = reason;
    this.source = source;
    this.index = options.index;
  }
}

export interface ExpressionErrorOptions {
  path?: string;
  source?: string;
  cause?: unknown;
}

/**
 * An expression that failed while running: a method called on a missing
 * value, an exhausted step budget, an oversized result, a helper that threw.
 * The message never echoes data values, which may hold secrets.
 */
export class ExpressionError extends HookflowError {
  readonly path: string;
  override readonly reason: string;
  readonly source: string;

  constructor(reason: string, options: ExpressionErrorOptions = {}) {
    const path = options.path ?? '';
    const source = options.source ?? '';
    super('expression_error', withPath(path, reason), {
      cause: options.cause,
      details: path === '' && source === '' ? undefined : { path, expression: source },
    });
    this.name = 'ExpressionError';
    this.path = path;
    this.reason = reason;
    this.source = source;
  }
}

/**
 * Turns anything thrown while evaluating into an `ExpressionError` that names
 * the template. Errors already carrying a path pass through untouched, so the
 * innermost template wins.
 */
export function toExpressionError(err: unknown, path: string, source: string): ExpressionError {
  if (err instanceof ExpressionError) {
    if (err.path !== '' || (path === '' && source === '')) return err;
    return new ExpressionError(err.reason, { path, source, cause: err.cause });
  }
  // V8 reports a blown call stack as a RangeError; only data nested thousands
  // of levels deep gets there, since the syntax tree depth is capped.
  const reason =
    err instanceof RangeError && /call stack/i.test(err.message)
      ? 'the data is nested too deeply'
      : `unexpected failure: ${err instanceof Error ? err.message : String(err)}`;
  return new ExpressionError(reason, { path, source, cause: err });
}
