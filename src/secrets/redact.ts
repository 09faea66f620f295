/** What a secret's value is replaced with. */
export const REDACTED_SECRET = '[secret]';

/**
 * Shorter values are not hunted for: a 1–3 character secret would turn every
 * "id" or "ok" in a job's output into `[secret]` and protect nothing.
 */
export const MIN_REDACTED_LENGTH = 4;

/**
 * `value` with every occurrence of any of `secrets` (those of at least 4
 * characters) inside a string — object keys included — replaced by
 * `[secret]`. Arrays and plain objects are rebuilt only where something
 * changed: a value holding no secret comes back as the very same reference,
 * so the common case allocates nothing. Treat the result as read-only.
 * Other objects (Dates, Buffers, class instances) pass through untouched.
 *
 * @example
 * redactSecrets({ url: 'https://x/?token=abcd1234' }, ['abcd1234']); // { url: 'https://x/?token=[secret]' }
 */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  const pattern = patternFor(secrets);
  return pattern ? redact(value, pattern) : value;
}

function redact(value: unknown, pattern: RegExp): unknown {
  if (typeof value === 'string') return redactString(value, pattern);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const redacted = redact(item, pattern);
      if (redacted !== item && copy === undefined) copy = value.slice(0, i);
      copy?.push(redacted);
    }
    return copy ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = source[key];
    const redactedKey = redactString(key, pattern);
    const redacted = redact(item, pattern);
    if ((redacted !== item || redactedKey !== key) && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j++) defineEntry(copy, keys[j]!, source[keys[j]!]);
    }
    if (copy) defineEntry(copy, redactedKey, redacted);
  }
  return copy ?? value;
}

/** Defined, not assigned: a `__proto__` key from parsed JSON stays a plain key. */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function redactString(text: string, pattern: RegExp): string {
  if (text.length < MIN_REDACTED_LENGTH) return text;
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, REDACTED_SECRET);
}

// Callers pass the current secret values on every call; one alternation is
// compiled per distinct list and reused while the list stays the same.
let memo: { secrets: readonly string[]; pattern: RegExp | undefined } | undefined;

function patternFor(secrets: readonly string[]): RegExp | undefined {
  if (memo && sameList(memo.secrets, secrets)) return memo.pattern;
  // Longest first, so a secret that contains another is replaced whole.
  const usable = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= MIN_REDACTED_LENGTH))].sort((a, b) => b.length - a.length);
  const pattern = usable.length === 0 ? undefined : new RegExp(usable.map(escapeRegExp).join('|'), 'g');
  memo = { secrets: [...secrets], pattern };
  return pattern;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
