/**
 * Record values checked against their fields' types, and brought to the one
 * form each type is stored in: datetimes as ISO-8601 UTC text, JSON as plain
 * data. Types are strict: `"42"` is not an integer (convert in the template:
 * `"{{ Number($context.data.age) }}"`).
 */
import type { Problem } from '../engine/node-type.js';
import { HookflowError } from '../shared/errors.js';
import type { CollectionField, CollectionRecord, FieldType } from '../store/collections.js';
import { isSystemField, type RecordValues } from '../store/record-columns.js';

/** A `string` is a short text (names, e-mail addresses, ids); `text` has no limit. */
export const MAX_STRING_LENGTH = 255;

export type Checked = { ok: true; value: unknown } | { ok: false; message: string };

/** One non-null value against a field type. */
export function checkValue(type: FieldType, value: unknown): Checked {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return fail('must be a string');
      if (value.includes('\u0000')) return fail(NUL_MESSAGE);
      if (value.length > MAX_STRING_LENGTH) return fail(`must be at most ${MAX_STRING_LENGTH} characters long (use a text field for longer values)`);
      return ok(value);
    case 'text':
      if (typeof value !== 'string') return fail('must be a string');
      return value.includes('\u0000') ? fail(NUL_MESSAGE) : ok(value);
    case 'integer':
      // Beyond 2^53 a JavaScript number cannot hold every integer, so it could not round-trip.
      return typeof value === 'number' && Number.isSafeInteger(value) ? ok(value) : fail('must be an integer (at most 2^53 - 1 in size)');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? ok(value) : fail('must be a number');
    case 'boolean':
      return typeof value === 'boolean' ? ok(value) : fail('must be true or false');
    case 'datetime': {
      const iso = typeof value === 'string' ? normalizeDatetime(value) : undefined;
      return iso === undefined ? fail('must be an ISO 8601 date (2025-01-31) or date-time with a time zone (2025-01-31T09:30:00Z)') : ok(iso);
    }
    case 'json': {
      const text = JSON.stringify(value);
      return text === undefined ? fail('must be a JSON value') : ok(JSON.parse(text));
    }
  }
}

/** PostgreSQL text cannot hold U+0000; refused on both stores so they accept the same data. */
export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';

const ok = (value: unknown): Checked => ({ ok: true, value });
const fail = (message: string): Checked => ({ ok: false, message });

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;

/**
 * `2025-01-31`, `2025-01-31T09:30Z`, `2025-01-31T10:30:00.5+01:00` → the UTC
 * instant as `toISOString()` (fixed width, so text order is time order on
 * both stores). A time without a zone is refused: it would mean the server's.
 */
export function normalizeDatetime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((s) => (s === undefined ? undefined : Number(s)));
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth(year!, month!)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const [zh, zm] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
    if (zh > 23 || zm > 59) return undefined;
    offsetMinutes = sign * (zh * 60 + zm);
  }
  const date = new Date(0);
  date.setUTCFullYear(year!, month! - 1, day!);
  date.setUTCHours(hour, minute - offsetMinutes, second, ms);
  const year4 = date.getUTCFullYear();
  // Outside 0000–9999 toISOString widens to ±YYYYYY, which would break text order.
  return year4 < 0 || year4 > 9999 ? undefined : date.toISOString();
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A record's values for `create` (every required field present) or `update`
 * (only the fields given). `undefined` means "not given", so a template for
 * a missing input leaves the field alone. Throws 400 `bad_request` whose
 * details list each problem with the field's name as its path.
 */
export function checkRecordValues(collection: CollectionRecord, input: unknown, mode: 'create' | 'update'): RecordValues {
  if (!isPlainObject(input)) {
    throw new HookflowError('bad_request', `the values of a "${collection.name}" record must be an object of field names to values`);
  }
  const byName = new Map<string, CollectionField>(collection.fields.map((f) => [f.name, f]));
  const problems: Problem[] = [];
  const values: RecordValues = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const field = byName.get(name);
    if (field === undefined) {
      problems.push({ path: name, message: isSystemField(name) ? 'is set by Hookflow and cannot be written' : `is not a field of collection "${collection.name}"${knownFields(collection)}` });
      continue;
    }
    if (value === null) {
      if (field.required) problems.push({ path: name, message: 'is required and cannot be null' });
      else values[name] = null;
      continue;
    }
    const checked = checkValue(field.type, value);
    if (checked.ok) values[name] = checked.value;
    else problems.push({ path: name, message: checked.message });
  }
  if (mode === 'create') {
    for (const field of collection.fields) {
      if (field.required && input[field.name] === undefined) problems.push({ path: field.name, message: 'is required' });
    }
  }
  if (problems.length > 0) throw invalidValues(collection.name, problems);
  return values;
}

function knownFields(collection: CollectionRecord): string {
  return collection.fields.length === 0 ? ' (it has no fields)' : `; its fields: ${collection.fields.map((f) => f.name).join(', ')}`;
}

export function invalidValues(collection: string, problems: Problem[]): HookflowError {
  const summary = problems.map((p) => `${p.path} ${p.message}`).join('; ');
  return new HookflowError('bad_request', `invalid values for collection "${collection}": ${summary}`, { details: problems });
}
