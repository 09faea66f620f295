import { DEFAULT_TOLERANCE_SEC, type VerifyFailure } from './verifier.js';

// Unix seconds. Twelve digits reach the year 33658: longer is not a timestamp.
const SECONDS = /^[0-9]{1,12}$/;

/** Unix seconds from a header, or undefined when the text is not one. */
export function parseUnixSeconds(text: string): number | undefined {
  return SECONDS.test(text) ? Number(text) : undefined;
}

/**
 * `stale_timestamp` or `future_timestamp` when `signedAt` lies more than
 * `toleranceSec` from `now`, in either direction; undefined inside the
 * window (its edges included). Checked both ways: a timestamp far ahead would
 * otherwise let a captured request be replayed until that moment.
 */
export function timestampFailure(signedAt: number, now: Date, toleranceSec = DEFAULT_TOLERANCE_SEC): VerifyFailure | undefined {
  const nowSec = Math.floor(now.getTime() / 1000);
  if (signedAt < nowSec - toleranceSec) return 'stale_timestamp';
  if (signedAt > nowSec + toleranceSec) return 'future_timestamp';
  return undefined;
}
