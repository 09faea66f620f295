/**
 * Record filters (DESIGN.md): `{ field: value }` or `{ field: { $op: value } }`
 * with `$eq $ne $gt $gte $lt $lte $in $nin $contains $exists`, combined with
 * `$and` / `$or`. Parsed into a checked tree (`store/record-where.ts` turns it
 * into SQL); every field must exist and every value match its field's type.
 */
import type { Problem } from '../engine/node-type.js';
import { HookflowError } from '../shared/errors.js';
import type { CollectionRecord, FieldType } from '../store/collections.js';
import { isSystemField, systemFieldType, type RecordValues } from '../store/record-columns.js';
import type { CompareOp, RecordFilter } from '../store/record-where.js';
import { checkValue, NUL_MESSAGE } from './values.js';

export const FILTER_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$contains', '$exists'] as const;
type Operator = (typeof FILTER_OPERATORS)[number];

/** Bounds on one filter: it becomes one SQL statement, and a query string is not a place for thousands of terms. */
export const filterLimits = { maxDepth: 8, maxConditions: 100, maxListItems: 1000 };

const RANGE_TYPES: ReadonlySet<FieldType> = new Set(['string', 'text', 'integer', 'number', 'datetime']);

interface Walk {
  /** Undefined: check the shape only (a node's written filter, before the collection is known). */
  readonly collection: CollectionRecord | undefined;
  /** Values to leave unchecked (templates in a written filter). */
  readonly skip: (value: unknown) => boolean;
  readonly problems: Problem[];
  conditions: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A filter checked against a collection; throws 400 `bad_request` listing every problem with its path. */
export function parseFilter(collection: CollectionRecord, input: unknown, path = 'filter'): RecordFilter {
  const walk: Walk = { collection, skip: () => false, problems: [], conditions: 0 };
  const filter = group(walk, input ?? {}, path, 0);
  if (walk.problems.length > 0) {
    const summary = walk.problems.map((p) => `${p.path} ${p.message}`).join('; ');
    throw new HookflowError('bad_request', `invalid filter for collection "${collection.name}": ${summary}`, { details: walk.problems });
  }
  return filter;
}

/** Problems with a filter's shape alone (operators, lists), leaving values for which `skip` holds unchecked. */
export function filterShapeProblems(input: unknown, path: string, skip: (value: unknown) => boolean): Problem[] {
  const walk: Walk = { collection: undefined, skip, problems: [], conditions: 0 };
  if (!skip(input)) group(walk, input, path, 0);
  return walk.problems;
}

function group(walk: Walk, input: unknown, path: string, depth: number): RecordFilter {
  const items: RecordFilter[] = [];
  if (!isPlainObject(input)) {
    walk.problems.push({ path, message: 'must be an object such as { "email": "a@b.example" } or { "age": { "$gte": 18 } }' });
    return { kind: 'and', items };
  }
  if (depth > filterLimits.maxDepth) {
    walk.problems.push({ path, message: `is nested more than ${filterLimits.maxDepth} levels deep` });
    return { kind: 'and', items };
  }
  for (const [key, value] of Object.entries(input)) {
    const at = `${path}.${key}`;
    if (key === '$and' || key === '$or') {
      if (walk.skip(value)) continue;
      if (!Array.isArray(value) || value.length === 0) {
        walk.problems.push({ path: at, message: 'must be a non-empty list of filters' });
        continue;
      }
      items.push({ kind: key === '$and' ? 'and' : 'or', items: value.map((item: unknown, i) => group(walk, item, `${at}[${i}]`, depth + 1)) });
    } else if (key.startsWith('$')) {
      walk.problems.push({ path: at, message: `is not a field; at this level only $and and $or are operators` });
    } else {
      items.push(...field(walk, key, value, at));
    }
  }
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

/** The field's type; undefined when checking the shape only; null (with a problem) when there is no such field. */
function fieldType(walk: Walk, name: string, path: string): FieldType | undefined | null {
  if (walk.collection === undefined) return undefined;
  if (isSystemField(name)) return systemFieldType(name);
  const found = walk.collection.fields.find((f) => f.name === name);
  if (found) return found.type;
  const names = ['id', ...walk.collection.fields.map((f) => f.name), 'createdAt', 'updatedAt'].join(', ');
  walk.problems.push({ path, message: `is not a field of collection "${walk.collection.name}"; its fields: ${names}` });
  return null;
}

function field(walk: Walk, name: string, condition: unknown, path: string): RecordFilter[] {
  const type = fieldType(walk, name, path);
  if (type === null || walk.skip(condition)) return [];
  if (condition === undefined) {
    walk.problems.push({ path, message: 'has no value (undefined: a template for missing input?); to match records without a value use { "$exists": false }' });
    return [];
  }
  if (Array.isArray(condition)) {
    walk.problems.push({ path, message: 'is a list; to match any of several values use { "$in": [...] }' });
    return [];
  }
  if (!isPlainObject(condition)) return [operator(walk, name, type, '$eq', condition, path)].filter(isFilter);
  const ops = Object.keys(condition);
  if (ops.length === 0 || ops.some((op) => !op.startsWith('$'))) {
    walk.problems.push({ path, message: `must be a value or an object of operators: ${FILTER_OPERATORS.join(', ')}` });
    return [];
  }
  return ops.map((op) => operator(walk, name, type, op, condition[op], `${path}.${op}`)).filter(isFilter);
}

function isFilter(value: RecordFilter | undefined): value is RecordFilter {
  return value !== undefined;
}

function operator(walk: Walk, name: string, type: FieldType | undefined, op: string, value: unknown, path: string): RecordFilter | undefined {
  const problem = (message: string) => void walk.problems.push({ path, message });
  if (!(FILTER_OPERATORS as readonly string[]).includes(op)) return problem(`is not an operator; operators: ${FILTER_OPERATORS.join(', ')}`);
  if (++walk.conditions > filterLimits.maxConditions) {
    if (walk.conditions === filterLimits.maxConditions + 1) problem(`the filter has more than ${filterLimits.maxConditions} conditions`);
    return undefined;
  }
  if (walk.skip(value)) return undefined;
  if (value === undefined) return problem('has no value (undefined: a template for missing input?)');
  const o = op as Operator;
  if (o === '$exists') {
    if (typeof value !== 'boolean') return problem('must be true or false');
    return { kind: 'null', field: name, negate: value };
  }
  if (type === 'json') return problem('json fields can only be filtered with $exists');
  switch (o) {
    case '$eq':
    case '$ne':
      if (value === null) return { kind: 'null', field: name, negate: o === '$ne' };
      return compare(walk, name, type, o, value, path);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (type !== undefined && !RANGE_TYPES.has(type)) return problem(`does not apply to a ${type} field`);
      return compare(walk, name, type, o, value, path);
    case '$in':
    case '$nin': {
      if (!Array.isArray(value)) return problem('must be a list of values');
      if (value.length > filterLimits.maxListItems) return problem(`must have at most ${filterLimits.maxListItems} items`);
      const values = value.map((item: unknown, i) => filterValue(walk, type, item, `${path}[${i}]`));
      if (type === undefined || values.some((v) => v === undefined)) return undefined;
      return { kind: 'in', field: name, type, negate: o === '$nin', values };
    }
    case '$contains':
      if (type !== undefined && type !== 'string' && type !== 'text') return problem(`does not apply to a ${type} field (only string and text)`);
      if (typeof value !== 'string') return problem('must be a string');
      if (value.includes('\u0000')) return problem(NUL_MESSAGE);
      return { kind: 'contains', field: name, value };
  }
}

function compare(walk: Walk, name: string, type: FieldType | undefined, op: CompareOp, value: unknown, path: string): RecordFilter | undefined {
  const checked = filterValue(walk, type, value, path);
  return checked === undefined || type === undefined ? undefined : { kind: 'compare', field: name, type, op, value: checked };
}

/** A value to compare with: its field's type, never null. Undefined (with a problem) when it does not fit. */
function filterValue(walk: Walk, type: FieldType | undefined, value: unknown, path: string): unknown {
  if (walk.skip(value)) return undefined;
  if (value === null || value === undefined) {
    walk.problems.push({ path, message: 'must not be null; use { "$exists": false } for records without a value' });
    return undefined;
  }
  if (type === undefined) return value;
  // A longer string than a `string` field holds simply matches nothing.
  const checked = checkValue(type === 'string' ? 'text' : type, value);
  if (checked.ok) return checked.value;
  walk.problems.push({ path, message: checked.message });
  return undefined;
}

/**
 * The field values a filter pins with top-level equality (`{ a: 1 }`,
 * `{ a: { $eq: 1 } }`, and those inside a top-level `$and`): what an upsert
 * puts into the record it creates. Built-in fields are left out.
 */
export function pinnedValues(filter: RecordFilter): RecordValues {
  const values: RecordValues = {};
  const visit = (f: RecordFilter) => {
    if (f.kind === 'and') f.items.forEach(visit);
    else if (f.kind === 'compare' && f.op === '$eq' && !isSystemField(f.field)) values[f.field] = f.value;
  };
  visit(filter);
  return values;
}
