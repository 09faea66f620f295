import { anyDigestMatches, decodeSignature, hmac, STRICT_BASE64 } from './crypto.js';
import { parseUnixSeconds, timestampFailure } from './timestamp.js';
import { header, refuse, usableSecrets, verified, type TimestampOptions, type VerifyInput, type VerifyResult } from './verifier.js';

const ID = 'webhook-id';
const TIMESTAMP = 'webhook-timestamp';
const SIGNATURE = 'webhook-signature';
const SECRET_PREFIX = 'whsec_';

/**
 * Standard Webhooks (https://www.standardwebhooks.com, used by Svix and
 * others): `webhook-signature` holds space-separated `v1,<base64>` entries,
 * each an HMAC-SHA256 of `id + "." + timestamp + "." + raw body` under the
 * base64-decoded secret (`whsec_` prefix optional). Several entries let a
 * sender sign with old and new keys during a rotation; entries of other
 * versions (`v1a`, asymmetric) are skipped, as the reference library does.
 */
export function verifyStandardWebhook({ raw, headers, secrets, now, toleranceSec }: VerifyInput & TimestampOptions): VerifyResult {
  const texts = usableSecrets(secrets);
  if (texts.length === 0) return refuse('missing_secret');
  const keys = texts.map(decodeSecret);
  if (keys.some((key) => key === undefined)) return refuse('malformed_secret', `a standard-webhooks secret must be "${SECRET_PREFIX}" and base64`);
  const id = header(headers, ID);
  if (id === undefined) return refuse('missing_header', ID);
  const stamp = header(headers, TIMESTAMP);
  if (stamp === undefined) return refuse('missing_header', TIMESTAMP);
  const value = header(headers, SIGNATURE);
  if (value === undefined) return refuse('missing_header', SIGNATURE);
  const signedAt = parseUnixSeconds(stamp);
  if (signedAt === undefined) return refuse('malformed_header', `${TIMESTAMP} must be unix seconds`);
  const signatures: Buffer[] = [];
  for (const entry of value.split(' ')) {
    if (entry === '') continue;
    const comma = entry.indexOf(',');
    if (comma <= 0) return refuse('malformed_header', `${SIGNATURE} entries must be "v1,<base64>"`);
    if (entry.slice(0, comma) !== 'v1') continue;
    const signature = decodeSignature(entry.slice(comma + 1), 'base64', 'sha256');
    if (signature === undefined) return refuse('malformed_header', `each v1 in ${SIGNATURE} must be a base64 SHA-256 digest`);
    signatures.push(signature);
  }
  if (signatures.length === 0) return refuse('no_matching_signature', `${SIGNATURE} has no v1 signature`);
  const expected = (keys as Buffer[]).map((key) => hmac('sha256', key, `${id}.${stamp}.`, raw));
  if (!anyDigestMatches(expected, signatures)) return refuse('no_matching_signature', SIGNATURE);
  const late = timestampFailure(signedAt, now, toleranceSec);
  return late === undefined ? verified : refuse(late, TIMESTAMP);
}

function decodeSecret(secret: string): Buffer | undefined {
  const text = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (text === '' || !STRICT_BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
