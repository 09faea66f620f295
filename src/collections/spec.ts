import type { Problem } from '../engine/node-type.js';
import { HookflowError } from '../shared/errors.js';
import { FIELD_TYPES, type CollectionField, type FieldType } from '../store/collections.js';
import { collectionNameProblem, fieldNameProblem } from './names.js';

/** SQLite allows 2000 columns; a webhook's collection needs far fewer, and every list and cursor carries them all. */
export const MAX_FIELDS = 200;

const FIELD_KEYS = new Set(['name', 'type', 'required', 'unique']);
/** A unique index over true/false or JSON text would surprise more than help. */
const UNIQUE_TYPES: ReadonlySet<FieldType> = new Set(['string', 'text', 'integer', 'number', 'datetime']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a collection name; 400 `bad_request` naming it. */
export function checkCollectionName(name: unknown, path = 'name'): string {
  const problem = typeof name === 'string' ? collectionNameProblem(name) : 'must be a string';
  if (problem !== undefined) throw new HookflowError('bad_request', `${path} ${problem}`, { details: [{ path, message: problem }] });
  return name as string;
}

/**
 * `fields` as the API receives them → checked fields (`required` and
 * `unique` default to false). Throws 400 `bad_request` listing every problem with its path.
 */
export function parseFields(input: unknown): CollectionField[] {
  const problems: Problem[] = [];
  const fields: CollectionField[] = [];
  if (!Array.isArray(input)) {
    throw new HookflowError('bad_request', 'fields must be a list', { details: [{ path: 'fields', message: 'must be a list' }] });
  }
  if (input.length > MAX_FIELDS) problems.push({ path: 'fields', message: `must have at most ${MAX_FIELDS} items` });
  const seen = new Map<string, number>();
  input.forEach((raw: unknown, i) => {
    const at = `fields[${i}]`;
    if (!isObject(raw)) {
      problems.push({ path: at, message: 'must be an object: { name, type, required?, unique? }' });
      return;
    }
    for (const key of Object.keys(raw)) {
      if (!FIELD_KEYS.has(key)) problems.push({ path: `${at}.${key}`, message: 'is not a known field; known fields: name, type, required, unique' });
    }
    const { name, type, required = false, unique = false } = raw;
    const nameProblem = typeof name === 'string' ? fieldNameProblem(name) : name === undefined ? 'is required' : 'must be a string';
    if (nameProblem !== undefined) problems.push({ path: `${at}.name`, message: nameProblem });
    if (!FIELD_TYPES.includes(type as FieldType)) {
      problems.push({ path: `${at}.type`, message: type === undefined ? 'is required' : `must be one of: ${FIELD_TYPES.join(', ')}` });
    }
    if (typeof required !== 'boolean') problems.push({ path: `${at}.required`, message: 'must be true or false' });
    if (typeof unique !== 'boolean') problems.push({ path: `${at}.unique`, message: 'must be true or false' });
    if (unique === true && FIELD_TYPES.includes(type as FieldType) && !UNIQUE_TYPES.has(type as FieldType)) {
      problems.push({ path: `${at}.unique`, message: `a ${String(type)} field cannot be unique` });
    }
    if (typeof name === 'string' && nameProblem === undefined) {
      // SQLite column names ignore case: `Email` and `email` would be one column there.
      const other = seen.get(name.toLowerCase());
      if (other !== undefined) problems.push({ path: `${at}.name`, message: `"${name}" is already the name of fields[${other}] (names ignore case)` });
      else seen.set(name.toLowerCase(), i);
    }
    fields.push({ name: name as string, type: type as FieldType, required: required as boolean, unique: unique as boolean });
  });
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path} ${p.message}`).join('; ');
    throw new HookflowError('bad_request', `the collection has ${problems.length} problem(s): ${summary}`, { details: problems });
  }
  return fields;
}
