import { ExpressionError } from './errors.js';
import { NAMESPACES, globalConstants, helperConstants, helperFunctions } from './helpers.js';
import type { Method } from './method.js';
import { CALLBACK_METHODS, arrayMethods } from './methods-array.js';
import { booleanMethods, dateMethods, numberMethods } from './methods-scalar.js';
import { stringMethods } from './methods-string.js';
import { type Ctx, describeType } from './runtime.js';

/*
 * The allow-list, in one place: which names an expression may call, and on
 * what. Anything not listed here does not exist for an expression.
 */

export { CALLBACK_METHODS, NAMESPACES, globalConstants, helperConstants, helperFunctions };

/** Every method name known on some type, so unknown ones fail at compile time. */
export const METHOD_NAMES: ReadonlySet<string> = new Set([
  ...stringMethods.keys(),
  ...arrayMethods.keys(),
  ...numberMethods.keys(),
  ...booleanMethods.keys(),
  ...dateMethods.keys(),
]);

/** Names an arrow parameter may not take, since they mean something already. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...NAMESPACES,
  ...globalConstants.keys(),
  ...[...helperFunctions.keys()].filter((name) => !name.includes('.')),
]);

/** Wraps an error thrown by a built-in so it reads as the expression's failure. */
export function wrapBuiltinError(err: unknown, label: string): ExpressionError {
  if (err instanceof ExpressionError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ExpressionError(`${label} failed: ${message}`, { cause: err });
}

function methodFor(receiver: unknown, name: string): Method<never> | undefined {
  switch (typeof receiver) {
    case 'string':
      return stringMethods.get(name);
    case 'number':
      return numberMethods.get(name);
    case 'boolean':
      return booleanMethods.get(name);
    case 'object':
      if (Array.isArray(receiver)) return arrayMethods.get(name);
      if (receiver instanceof Date) return dateMethods.get(name);
      return undefined;
    default:
      return undefined;
  }
}

/** Calls an allow-listed method, chosen by the receiver's type. */
export function callMethod(ctx: Ctx, receiver: unknown, name: string, args: readonly unknown[]): unknown {
  const method = methodFor(receiver, name) as Method<unknown> | undefined;
  if (method === undefined) throw new ExpressionError(`${name}() is not available on ${describeType(receiver)}`);
  try {
    return method(ctx, receiver, args);
  } catch (err) {
    throw wrapBuiltinError(err, `${name}()`);
  }
}
