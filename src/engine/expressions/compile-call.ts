import type jsep from 'jsep';
import {
  CALLBACK_METHODS,
  METHOD_NAMES,
  NAMESPACES,
  RESERVED_NAMES,
  callMethod,
  helperFunctions,
  wrapBuiltinError,
} from './allow-list.js';
import { type CompileEnv, type Evaluate, fail } from './compile-env.js';
import { ExpressionError } from './errors.js';
import type { Helper } from './method.js';
import { Callback, describeType, step } from './runtime.js';

type Node = jsep.Expression;
type CompileNode = (node: Node, env: CompileEnv) => Evaluate;

const MAX_PARAMS = 3;

/** A short rendering of a receiver for error messages: `$context.data.ref`. */
function describeNode(node: Node): string {
  switch (node.type) {
    case 'Identifier':
      return (node as jsep.Identifier).name;
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression;
      const object = describeNode(m.object);
      if (!m.computed) return `${object}.${(m.property as jsep.Identifier).name}`;
      const p = m.property;
      return p.type === 'Literal' ? `${object}[${JSON.stringify((p as jsep.Literal).value)}]` : `${object}[…]`;
    }
    case 'CallExpression':
      return `${describeNode((node as jsep.CallExpression).callee)}(…)`;
    default:
      return '(…)';
  }
}

/** True when a `?.` appears anywhere in the chain, so a nullish receiver gives undefined. */
function chainIsOptional(node: Node): boolean {
  let current: Node | undefined = node;
  while (current !== undefined) {
    if (current.optional === true) return true;
    if (current.type === 'MemberExpression') current = (current as jsep.MemberExpression).object;
    else if (current.type === 'CallExpression') current = (current as jsep.CallExpression).callee;
    else current = undefined;
  }
  return false;
}

function compileArrow(node: Node, env: CompileEnv, compileNode: CompileNode): Callback {
  const params = (node.params as Node[] | null) ?? [];
  if (params.length > MAX_PARAMS) fail(`an arrow function takes at most ${MAX_PARAMS} parameters`);
  const locals = new Map(env.locals);
  const own = new Set<string>();
  params.forEach((param, i) => {
    if (param.type !== 'Identifier') fail('arrow function parameters must be plain names (no defaults or destructuring)');
    const name = (param as jsep.Identifier).name;
    if (name.startsWith('$') || RESERVED_NAMES.has(name)) fail(`"${name}" cannot be a parameter name`);
    if (own.has(name)) fail(`the parameter "${name}" appears twice`);
    own.add(name);
    locals.set(name, env.nextSlot + i);
  });
  const body = compileNode(node.body as Node, { locals, nextSlot: env.nextSlot + params.length, depth: env.depth + 1 });
  return new Callback(body, env.nextSlot, params.length);
}

function compileArgs(args: Node[], env: CompileEnv, compileNode: CompileNode, method: string | undefined): Evaluate[] {
  return args.map((arg, i) => {
    if (arg.type !== 'ArrowFunctionExpression') return compileNode(arg, env);
    if (method === undefined || !CALLBACK_METHODS.has(method) || i !== 0) {
      fail(`an arrow function can only be the first argument of ${[...CALLBACK_METHODS].join(', ')}`);
    }
    const callback = compileArrow(arg, env, compileNode);
    return () => callback;
  });
}

function evaluateArgs(ctx: Parameters<Evaluate>[0], args: readonly Evaluate[]): unknown[] {
  const values = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) values[i] = (args[i] as Evaluate)(ctx);
  return values;
}

function helperCall(name: string, helper: Helper, args: readonly Evaluate[]): Evaluate {
  const label = `${name}()`;
  return (ctx) => {
    step(ctx);
    const values = evaluateArgs(ctx, args);
    try {
      return helper(ctx, values);
    } catch (err) {
      throw wrapBuiltinError(err, label);
    }
  };
}

function methodName(callee: jsep.MemberExpression): string {
  if (!callee.computed) return (callee.property as jsep.Identifier).name;
  const property = callee.property;
  if (property.type === 'Literal' && typeof (property as jsep.Literal).value === 'string') {
    return (property as jsep.Literal).value as string;
  }
  return fail('a method name must be written out, as in x.toUpperCase()');
}

/**
 * Calls: only allow-listed helpers (`Math.round(x)`, `$date()`) and
 * allow-listed methods on strings, arrays, numbers, booleans and dates. A
 * value from the data is never called, and methods are looked up by name in
 * our tables, never on the value, so `x.constructor(…)` or `f.call(…)` have
 * nothing to reach.
 */
export function compileCall(node: jsep.CallExpression, env: CompileEnv, compileNode: CompileNode): Evaluate {
  const callee = node.callee;
  if (callee.type === 'Identifier') {
    const name = (callee as jsep.Identifier).name;
    const helper = env.locals.has(name) ? undefined : helperFunctions.get(name);
    if (helper === undefined) fail(`${name}() is not an available function`);
    return helperCall(name, helper, compileArgs(node.arguments, env, compileNode, undefined));
  }
  if (callee.type !== 'MemberExpression') fail('only the listed functions and methods can be called');
  const member = callee as jsep.MemberExpression;
  const object = member.object;
  if (object.type === 'Identifier' && NAMESPACES.has((object as jsep.Identifier).name) && !env.locals.has((object as jsep.Identifier).name)) {
    const name = `${(object as jsep.Identifier).name}.${member.computed ? '[…]' : (member.property as jsep.Identifier).name}`;
    const helper = member.computed ? undefined : helperFunctions.get(name);
    if (helper === undefined) fail(`${name}() is not an available function`);
    return helperCall(name, helper, compileArgs(node.arguments, env, compileNode, undefined));
  }
  const name = methodName(member);
  if (!METHOD_NAMES.has(name)) fail(`${name}() is not an available method`);
  const optional = chainIsOptional(node);
  const receiverText = describeNode(object);
  const receiver = compileNode(object, env);
  const args = compileArgs(node.arguments, env, compileNode, name);
  return (ctx) => {
    step(ctx);
    const target = receiver(ctx);
    if (target === null || target === undefined) {
      if (optional) return undefined;
      throw new ExpressionError(`cannot call ${name}() on ${describeType(target)} (${receiverText}); use ?. to allow a missing value`);
    }
    return callMethod(ctx, target, name, evaluateArgs(ctx, args));
  };
}
