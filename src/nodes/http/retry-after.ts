/**
 * Longest `Retry-After` Hookflow waits for. A server asking for more is
 * answered with a failure instead of an early retry it has said it will
 * refuse (got's `maxRetryAfter` does the same); a worker slot is not held
 * for hours either.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * RFC 9110 §10.2.3: `Retry-After` is either delay-seconds or an HTTP-date.
 * Returns the wait in ms (0 for a date in the past), or undefined when the
 * header is missing or unreadable.
 *
 * @example parseRetryAfter('120', now) // 120000
 * @example parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only dates that name a weekday or month, not bare numbers Date.parse would guess at.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
