import { anyDigestMatches, decodeSignature, hmac } from './crypto.js';
import { header, refuse, usableSecrets, verified, type VerifyInput, type VerifyResult } from './verifier.js';

const HEADER = 'x-shopify-hmac-sha256';

/** Shopify: `x-shopify-hmac-sha256: <base64 HMAC-SHA256(secret, raw body)>`. */
export function verifyShopify({ raw, headers, secrets }: VerifyInput): VerifyResult {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const value = header(headers, HEADER);
  if (value === undefined) return refuse('missing_header', HEADER);
  const signature = decodeSignature(value, 'base64', 'sha256');
  if (signature === undefined) return refuse('malformed_header', `${HEADER} must be a base64 SHA-256 digest`);
  const expected = keys.map((key) => hmac('sha256', key, raw));
  return anyDigestMatches(expected, [signature]) ? verified : refuse('no_matching_signature', HEADER);
}
