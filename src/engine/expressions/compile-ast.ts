import type jsep from 'jsep';
import { NAMESPACES, globalConstants, helperConstants, helperFunctions } from './allow-list.js';
import { compileCall } from './compile-call.js';
import { type CompileEnv, type Evaluate, fail } from './compile-env.js';
import { toText } from './convert.js';
import { expressionLimits } from './limits.js';
import { binaryOperators, unaryOperators } from './operators.js';
import {
  checkStringLength,
  getMember,
  lookupVariable,
  lookupVariableOrUndefined,
  setOwn,
  step,
  toPropertyKey,
} from './runtime.js';

type Node = jsep.Expression;

const constant =
  (value: unknown): Evaluate =>
  () =>
    value;

function identifier(name: string, env: CompileEnv): Evaluate {
  const slot = env.locals.get(name);
  if (slot !== undefined) return (ctx) => ctx.locals[slot];
  if (globalConstants.has(name)) return constant(globalConstants.get(name));
  if (helperFunctions.has(name)) fail(`${name} is a function: call it, as in ${name}(…)`);
  if (NAMESPACES.has(name)) fail(`${name} can only be used as ${name}.<name>, as in Math.round(x)`);
  if (name.startsWith('$')) return (ctx) => lookupVariable(ctx.scope, name);
  fail(`unknown name "${name}": expressions read $context, $nodes, $item, $index, $secrets, $system and the listed helpers`);
}

function namespaceMember(namespace: string, node: jsep.MemberExpression): Evaluate {
  const property = node.property as jsep.Identifier;
  const name = `${namespace}.${node.computed ? '[…]' : property.name}`;
  if (!node.computed && helperConstants.has(name)) return constant(helperConstants.get(name));
  if (helperFunctions.has(name)) fail(`${name} is a function: call it, as in ${name}(…)`);
  fail(`${name} is not available`);
}

function isNamespace(node: Node, env: CompileEnv): node is jsep.Identifier {
  return node.type === 'Identifier' && NAMESPACES.has((node as jsep.Identifier).name) && !env.locals.has((node as jsep.Identifier).name);
}

function member(node: jsep.MemberExpression, env: CompileEnv): Evaluate {
  if (isNamespace(node.object, env)) return namespaceMember(node.object.name, node);
  const object = compileNode(node.object, env);
  const property = node.property;
  if (!node.computed || property.type === 'Literal') {
    const raw = node.computed ? (property as jsep.Literal).value : (property as jsep.Identifier).name;
    if (typeof raw !== 'string' && typeof raw !== 'number') fail('a property name must be a string or a number');
    const key = toPropertyKey(raw);
    return (ctx) => {
      step(ctx);
      return getMember(object(ctx), key);
    };
  }
  const key = compileNode(property, env);
  return (ctx) => {
    step(ctx);
    const target = object(ctx);
    return getMember(target, toPropertyKey(key(ctx)));
  };
}

function unary(node: jsep.UnaryExpression, env: CompileEnv): Evaluate {
  const op = unaryOperators.get(node.operator);
  if (op === undefined) fail(`the operator ${node.operator} is not supported`);
  const arg = node.argument;
  const name = arg.type === 'Identifier' ? (arg as jsep.Identifier).name : '';
  // `typeof $item` is "undefined" outside a loop, as for an undeclared name in JavaScript.
  const argument: Evaluate =
    node.operator === 'typeof' && name.startsWith('$') && !env.locals.has(name) && !helperFunctions.has(name)
      ? (ctx) => lookupVariableOrUndefined(ctx.scope, name)
      : compileNode(arg, env);
  return (ctx) => {
    step(ctx);
    return op(ctx, argument(ctx));
  };
}

function binary(node: jsep.BinaryExpression, env: CompileEnv): Evaluate {
  const left = compileNode(node.left, env);
  const right = compileNode(node.right, env);
  switch (node.operator) {
    case '&&':
      return (ctx) => (step(ctx), left(ctx) && right(ctx));
    case '||':
      return (ctx) => (step(ctx), left(ctx) || right(ctx));
    case '??':
      return (ctx) => (step(ctx), left(ctx) ?? right(ctx));
    case '===':
      return (ctx) => (step(ctx), left(ctx) === right(ctx));
    case '!==':
      return (ctx) => (step(ctx), left(ctx) !== right(ctx));
  }
  const op = binaryOperators.get(node.operator);
  if (op === undefined) fail(`the operator ${node.operator} is not supported`);
  return (ctx) => {
    step(ctx);
    const a = left(ctx);
    return op(ctx, a, right(ctx));
  };
}

function conditional(node: jsep.ConditionalExpression, env: CompileEnv): Evaluate {
  const test = compileNode(node.test, env);
  const consequent = compileNode(node.consequent, env);
  const alternate = compileNode(node.alternate, env);
  return (ctx) => (step(ctx), test(ctx) ? consequent(ctx) : alternate(ctx));
}

function array(node: jsep.ArrayExpression, env: CompileEnv): Evaluate {
  const items = node.elements.map((element) => (element === null ? constant(undefined) : compileNode(element, env)));
  return (ctx) => {
    step(ctx);
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = (items[i] as Evaluate)(ctx);
    return out;
  };
}

interface PropertyNode extends jsep.Expression {
  type: 'Property';
  computed: boolean;
  key: Node | undefined;
  value?: Node;
}

function object(node: jsep.Expression, env: CompileEnv): Evaluate {
  const properties = (node.properties as Node[]).map((p) => {
    if (p.type !== 'Property') fail('only `key: value` pairs are supported in an object (no spread)');
    const prop = p as PropertyNode;
    if (prop.key === undefined) fail('an object key is missing');
    const value = compileNode(prop.value ?? prop.key, env);
    if (prop.computed) return { key: compileNode(prop.key, env), value };
    const keyNode = prop.key;
    if (keyNode.type === 'Identifier') return { key: (keyNode as jsep.Identifier).name, value };
    const raw = keyNode.type === 'Literal' ? (keyNode as jsep.Literal).value : undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number') fail('an object key must be a name, a string or a number');
    return { key: String(raw), value };
  });
  return (ctx) => {
    step(ctx);
    const out: Record<string, unknown> = {};
    for (const { key, value } of properties) {
      setOwn(out, typeof key === 'string' ? key : String(toPropertyKey(key(ctx))), value(ctx));
    }
    return out;
  };
}

function templateLiteral(node: jsep.Expression, env: CompileEnv): Evaluate {
  const quasis = (node.quasis as jsep.Expression[]).map((q) => (q.value as { cooked: string }).cooked);
  const expressions = node.expressions as Node[];
  if (expressions.length !== quasis.length - 1) fail('each ${…} in a template literal must hold exactly one expression');
  const parts = expressions.map((e) => compileNode(e, env));
  return (ctx) => {
    step(ctx);
    let out = quasis[0] as string;
    for (let i = 0; i < parts.length; i++) {
      const text = toText(ctx, (parts[i] as Evaluate)(ctx));
      const next = quasis[i + 1] as string;
      checkStringLength(out.length + text.length + next.length);
      out += text + next;
    }
    return out;
  };
}

/** Compiles one syntax-tree node into a closure, refusing anything not allowed. */
export function compileNode(node: Node, env: CompileEnv): Evaluate {
  if (env.depth >= expressionLimits.maxAstDepth) fail('the expression is nested too deeply');
  const inner: CompileEnv = { ...env, depth: env.depth + 1 };
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (value !== null && typeof value === 'object') fail('regular expressions are not supported');
      return constant(value);
    }
    case 'Identifier':
      return identifier((node as jsep.Identifier).name, inner);
    case 'MemberExpression':
      return member(node as jsep.MemberExpression, inner);
    case 'CallExpression':
      return compileCall(node as jsep.CallExpression, inner, compileNode);
    case 'UnaryExpression':
      return unary(node as jsep.UnaryExpression, inner);
    case 'BinaryExpression':
      return binary(node as jsep.BinaryExpression, inner);
    case 'ConditionalExpression':
      return conditional(node as jsep.ConditionalExpression, inner);
    case 'ArrayExpression':
      return array(node as jsep.ArrayExpression, inner);
    case 'ObjectExpression':
      return object(node, inner);
    case 'TemplateLiteral':
      return templateLiteral(node, inner);
    case 'ArrowFunctionExpression':
      return fail('an arrow function can only be the callback of an array method, as in items.map(x => x.id)');
    case 'ThisExpression':
      return fail('`this` is not available; read variables such as $context instead');
    case 'Compound':
      return fail('only one expression is allowed (no `;`, no `new`, no statements)');
    case 'SequenceExpression':
      return fail('the comma operator is not supported');
    case 'TaggedTemplateExpression':
      return fail('tagged template literals are not supported');
    default:
      return fail(`${node.type} is not supported`);
  }
}
