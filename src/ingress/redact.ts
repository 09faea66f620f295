import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers that carry a credential. Signatures (`x-hub-signature-256`,
 * `stripe-signature`, …) are not in the list: they are worthless without the
 * secret and are what one needs to debug a failed verification. GitLab's
 * `x-gitlab-token` is the shared secret itself, and matches `token`.
 */
const CREDENTIAL_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
const CREDENTIAL_PARTS = /token|secret|passw|api-?_?key|credential|authorization|access-key/;

export const REDACTED = '[redacted]';

export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_NAMES.has(lower) || CREDENTIAL_PARTS.test(lower);
}

/**
 * Headers as a workflow sees them in `$context.headers`: lower-case names,
 * string values, repeated headers joined with `, ` (RFC 9110 §5.3).
 *
 * @example
 * flattenHeaders({ 'X-Tag': ['a', 'b'], host: 'h' }) // → { 'x-tag': 'a, b', host: 'h' }
 */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return toRecord(headers, false);
}

/**
 * Headers as the request log stores them: like {@link flattenHeaders}, with
 * every credential replaced by `[redacted]`.
 *
 * @example
 * redactHeaders({ authorization: 'Bearer abc', 'x-hub-signature-256': 'sha256=…' })
 * // → { authorization: '[redacted]', 'x-hub-signature-256': 'sha256=…' }
 */
export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return toRecord(headers, true);
}

function toRecord(headers: IncomingHttpHeaders, redact: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    let text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : String(value);
    if (redact && isCredentialHeader(lower)) text = REDACTED;
    // Node already lower-cases and merges; a hand-built object may hold `X-A` and `x-a` both.
    if (Object.hasOwn(out, lower)) {
      if (text !== REDACTED) text = `${out[lower]}, ${text}`;
    }
    // Plain assignment to `__proto__` would set the prototype instead of storing a header.
    if (lower === '__proto__') Object.defineProperty(out, lower, { value: text, writable: true, enumerable: true, configurable: true });
    else out[lower] = text;
  }
  return out;
}
