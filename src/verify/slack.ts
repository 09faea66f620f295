import { anyDigestMatches, decodeSignature, hmac } from './crypto.js';
import { parseUnixSeconds, timestampFailure } from './timestamp.js';
import { header, refuse, usableSecrets, verified, type TimestampOptions, type VerifyInput, type VerifyResult } from './verifier.js';

const SIGNATURE = 'x-slack-signature';
const TIMESTAMP = 'x-slack-request-timestamp';
const PREFIX = 'v0=';

/**
 * Slack: `x-slack-signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)>`
 * with the timestamp from `x-slack-request-timestamp`.
 *
 * The signature is checked before the timestamp, so a `stale_timestamp` or
 * `future_timestamp` in the log always means a genuine request that arrived
 * late or a clock that is off, never a forgery.
 */
export function verifySlack({ raw, headers, secrets, now, toleranceSec }: VerifyInput & TimestampOptions): VerifyResult {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const value = header(headers, SIGNATURE);
  if (value === undefined) return refuse('missing_header', SIGNATURE);
  const stamp = header(headers, TIMESTAMP);
  if (stamp === undefined) return refuse('missing_header', TIMESTAMP);
  const signedAt = parseUnixSeconds(stamp);
  if (signedAt === undefined) return refuse('malformed_header', `${TIMESTAMP} must be unix seconds`);
  if (!value.startsWith(PREFIX)) return refuse('malformed_header', `${SIGNATURE} must start with "${PREFIX}"`);
  const signature = decodeSignature(value.slice(PREFIX.length), 'hex', 'sha256');
  if (signature === undefined) return refuse('malformed_header', `${SIGNATURE} must be "${PREFIX}" and 64 hex digits`);
  const expected = keys.map((key) => hmac('sha256', key, `v0:${stamp}:`, raw));
  if (!anyDigestMatches(expected, [signature])) return refuse('no_matching_signature', SIGNATURE);
  const late = timestampFailure(signedAt, now, toleranceSec);
  return late === undefined ? verified : refuse(late, TIMESTAMP);
}
