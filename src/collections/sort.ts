/**
 * Sort orders (`sort=-createdAt,name`: `-` for descending) and the opaque
 * keyset cursors that continue a list in that order. Every order ends with
 * `id`, so it is total and a cursor names exactly one position.
 */
import { HookflowError } from '../shared/errors.js';
import type { CollectionRecord } from '../store/collections.js';
import { isSystemField, systemFieldType, type RecordValues } from '../store/record-columns.js';
import type { SortKey } from '../store/record-where.js';
import { checkValue } from './values.js';

export const MAX_SORT_KEYS = 5;

function badSort(message: string): HookflowError {
  return new HookflowError('bad_request', `sort ${message}`, { details: [{ path: 'sort', message }] });
}

/** `"-createdAt,name"` or `["-createdAt", "name"]` → keys, `id` appended. Default: `id` (creation order). */
export function parseSort(collection: CollectionRecord, input: string | readonly string[] | undefined): SortKey[] {
  const parts = (typeof input === 'string' ? input.split(',') : input ?? []).map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length > MAX_SORT_KEYS) throw badSort(`must have at most ${MAX_SORT_KEYS} keys`);
  const keys: SortKey[] = [];
  for (const part of parts) {
    const desc = part.startsWith('-');
    const name = part.replace(/^[-+]/, '');
    let type = isSystemField(name) ? systemFieldType(name) : collection.fields.find((f) => f.name === name)?.type;
    if (type === undefined) {
      const names = ['id', ...collection.fields.map((f) => f.name), 'createdAt', 'updatedAt'].join(', ');
      throw badSort(`"${name}" is not a field of collection "${collection.name}"; its fields: ${names}`);
    }
    if (type === 'json') throw badSort(`"${name}" is a json field, which cannot be sorted on`);
    if (keys.some((k) => k.field === name)) throw badSort(`names "${name}" twice`);
    if (type === 'string') type = 'text';
    keys.push({ field: name, type, desc });
  }
  if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id', type: 'text', desc: false });
  return keys;
}

function signature(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.desc ? '-' : ''}${k.field}`).join(',');
}

/** The cursor for the position just after `record`. */
export function encodeCursor(keys: readonly SortKey[], record: RecordValues): string {
  const payload = { s: signature(keys), v: keys.map((k) => record[k.field] ?? null) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The sort values a cursor holds, each checked against its key's type; 400 when it is not one of ours for this order. */
export function decodeCursor(keys: readonly SortKey[], cursor: string): unknown[] {
  const invalid = () =>
    new HookflowError('bad_request', 'cursor is not valid for this list: pass the nextCursor of the previous page, with the same sort', {
      details: [{ path: 'cursor', message: 'is not a cursor of this list' }],
    });
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { s, v } = (payload ?? {}) as { s?: unknown; v?: unknown };
  if (s !== signature(keys) || !Array.isArray(v) || v.length !== keys.length) throw invalid();
  return keys.map((key, i) => {
    const value: unknown = v[i];
    if (value === null) return null;
    const checked = checkValue(key.type, value);
    if (!checked.ok) throw invalid();
    return checked.value;
  });
}
