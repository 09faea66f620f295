/**
 * Turns form fields (urlencoded or multipart) into the object a workflow sees
 * as `$context.data`. The rules, as `docs/webhooks.md` states them:
 *
 * - `a=1` → `{ a: '1' }`; a repeated name collects an array: `a=1&a=2` → `{ a: ['1', '2'] }`.
 * - `a[]=1` always gives an array, even with one value: `{ a: ['1'] }`.
 * - Brackets nest (PHP, Rails and `qs` senders rely on it), at most
 *   {@link MAX_DEPTH} levels: `user[name]=x&user[tags][]=y` → `{ user: { name: 'x', tags: ['y'] } }`.
 *   Indexes are keys, not positions: `a[0]=x` → `{ a: { '0': 'x' } }`.
 * - A name that does not fit (unbalanced brackets, `[]` before the end, too
 *   deep, or nesting below a plain value already there) is kept verbatim as one
 *   key, so no field is ever lost: `a=1&a[b]=2` → `{ a: '1', 'a[b]': '2' }`.
 *   A plain value after an object joins it in an array: `a[b]=1&a=2` → `{ a: [{ b: '1' }, '2'] }`.
 *
 * Objects are plain and written with own properties only, so a field called
 * `__proto__` or `constructor` is just data and pollutes nothing.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export const MAX_DEPTH = 5;

const BRACKETED = /^([^[\]]+)((?:\[[^[\]]*\])+)$/;

export function addFormField(target: FormObject, name: string, value: string): void {
  const path = splitName(name);
  // A one-key path walks nothing, so the verbatim fallback always succeeds.
  if (path === undefined || !addAtPath(target, path, value)) addAtPath(target, [name], value);
}

function splitName(name: string): string[] | undefined {
  if (!name.includes('[')) return [name];
  const m = BRACKETED.exec(name);
  if (m === null) return undefined;
  const keys = [m[1] as string];
  for (const part of (m[2] as string).slice(1, -1).split('][')) keys.push(part);
  if (keys.length > MAX_DEPTH + 1) return undefined;
  // `[]` means "append", which only makes sense for the last key.
  if (keys.slice(0, -1).some((key) => key === '')) return undefined;
  return keys;
}

/**
 * Returns false, changing nothing, when the path runs through a plain value or
 * an array. The last step always succeeds: a second value for the same key
 * turns it into an array, whatever the first was.
 */
function addAtPath(target: FormObject, path: string[], value: string): boolean {
  const append = path.length > 1 && path[path.length - 1] === '';
  const keys = append ? path.slice(0, -1) : path;
  let node = target;
  for (let depth = 0; depth < keys.length - 1; depth++) {
    const key = keys[depth] as string;
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) {
      // Nothing can clash below a new object, so creating it never needs undoing.
      const created: FormObject = {};
      setOwn(node, key, created);
      node = created;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      node = next;
    } else {
      return false;
    }
  }
  const key = keys[keys.length - 1] as string;
  const existing = Object.hasOwn(node, key) ? node[key] : undefined;
  if (existing === undefined) setOwn(node, key, append ? [value] : value);
  else if (Array.isArray(existing)) existing.push(value);
  else setOwn(node, key, [existing, value]);
  return true;
}

function setOwn(node: FormObject, key: string, value: FormValue): void {
  // Plain assignment to `__proto__` would call the prototype setter instead of storing data.
  if (key === '__proto__') Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
  else node[key] = value;
}
