import { anyDigestMatches, decodeSignature, hmac } from './crypto.js';
import { header, refuse, usableSecrets, verified, type VerifyInput, type VerifyResult } from './verifier.js';

const HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

/**
 * GitHub (and Meta's POST deliveries, which use the same header and format):
 * `x-hub-signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`.
 * The legacy SHA-1 `x-hub-signature` is ignored.
 */
export function verifyGithub({ raw, headers, secrets }: VerifyInput): VerifyResult {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const value = header(headers, HEADER);
  if (value === undefined) return refuse('missing_header', HEADER);
  if (!value.startsWith(PREFIX)) return refuse('malformed_header', `${HEADER} must start with "${PREFIX}"`);
  const signature = decodeSignature(value.slice(PREFIX.length), 'hex', 'sha256');
  if (signature === undefined) return refuse('malformed_header', `${HEADER} must be "${PREFIX}" and 64 hex digits`);
  const expected = keys.map((key) => hmac('sha256', key, raw));
  return anyDigestMatches(expected, [signature]) ? verified : refuse('no_matching_signature', HEADER);
}
