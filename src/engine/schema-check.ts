/**
 * Ajv over TypeBox schemas, with errors rewritten for users: a path like
 * `nodes[1].then[0].url` and a sentence ("must be one of: GET, POST"), not a
 * JSON pointer and "must be equal to one of the allowed values".
 */
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Problem } from './node-type.js';

let ajv: Ajv | undefined;
const validators = new WeakMap<TSchema, ValidateFunction>();

/** A compiled validator per schema object, built on first use (importing this file does nothing). */
export function validatorFor(schema: TSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (validate === undefined) {
    ajv ??= createAjv();
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

function createAjv(): Ajv {
  // verbose: errors carry parentSchema, where `hint` and the known field names are.
  const instance = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  instance.addKeyword({ keyword: 'hint', schemaType: 'string' });
  return instance;
}

export interface CheckOptions {
  /** Prefix for every problem path, e.g. `nodes[2]`. */
  basePath?: string;
  /** Drop errors about a value that is a template string here: it is checked again once evaluated. */
  deferTemplate?: (segments: readonly (string | number)[], value: unknown) => boolean;
}

/** Every problem `data` has against `schema`, with user-facing paths and messages. */
export function checkSchema(schema: TSchema, data: unknown, options: CheckOptions = {}): Problem[] {
  const validate = validatorFor(schema);
  if (validate(data)) return [];
  return toProblems(validate.errors ?? [], data, options);
}

export function toProblems(errors: readonly ErrorObject[], data: unknown, options: CheckOptions = {}): Problem[] {
  const base = options.basePath ?? '';
  const deferred = (err: ErrorObject) => {
    if (options.deferTemplate === undefined) return false;
    const segments = pointerSegments(err.instancePath, data);
    return options.deferTemplate(segments, valueAt(data, segments));
  };
  // A union's failure is reported once, in its own words; its branches' errors are noise.
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const insideUnion = (e: ErrorObject) => unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    if (insideUnion(err) || deferred(err)) continue;
    const problem = describe(err, data, base);
    const id = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      problems.push(problem);
    }
  }
  return problems;
}

function describe(err: ErrorObject, data: unknown, base: string): Problem {
  const segments = pointerSegments(err.instancePath, data);
  const at = (extra?: string) => joinPath(joinSegments(base, segments), extra);
  const params = err.params as Record<string, unknown>;
  const hint = (err.parentSchema as { hint?: string } | undefined)?.hint;
  switch (err.keyword) {
    case 'required':
      return { path: at(String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties': {
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suffix = known.length > 0 ? `; known fields: ${known.join(', ')}` : '';
      return { path: at(String(params.additionalProperty)), message: `is not a known field${suffix}` };
    }
    default:
      return { path: at(), message: hint ?? keywordMessage(err, params) };
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false',
  object: 'an object', array: 'a list', null: 'null',
};

function keywordMessage(err: ErrorObject, params: Record<string, unknown>): string {
  const limit = params.limit as number;
  switch (err.keyword) {
    case 'type':
      return `must be ${String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'minimum':
      return `must be at least ${limit}`;
    case 'maximum':
      return `must be at most ${limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${limit}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`;
    case 'maxLength':
      return `must be at most ${limit} characters long`;
    case 'minItems':
      return limit === 1 ? 'must not be empty' : `must have at least ${limit} items`;
    case 'maxItems':
      return `must have at most ${limit} items`;
    case 'uniqueItems':
      return `must not repeat items (items ${String(params.j)} and ${String(params.i)} are equal)`;
    case 'minProperties':
      return limit === 1 ? 'must not be empty' : `must have at least ${limit} fields`;
    case 'pattern':
      return 'has the wrong format';
    case 'anyOf':
    case 'oneOf':
      return 'does not match any of the allowed forms';
    default:
      return err.message ?? 'is not valid';
  }
}

/** JSON pointer → segments; numbers where the data at that level is an array. */
function pointerSegments(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const segments: (string | number)[] = [];
  let current = data;
  for (const raw of pointer.slice(1).split('/')) {
    const name = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(current) ? Number(name) : name;
    segments.push(segment);
    current = current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[segment] : undefined;
  }
  return segments;
}

function valueAt(data: unknown, segments: readonly (string | number)[]): unknown {
  let current = data;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `joinPath('nodes[1]', 'url')` → `nodes[1].url`; numbers become `[n]`, odd names `["x-y"]`. */
export function joinPath(base: string, segment?: string | number): string {
  if (segment === undefined) return base;
  if (typeof segment === 'number') return `${base}[${segment}]`;
  if (!IDENTIFIER.test(segment)) return `${base}[${JSON.stringify(segment)}]`;
  return base === '' ? segment : `${base}.${segment}`;
}

export function joinSegments(base: string, segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, segment) => joinPath(path, segment), base);
}
