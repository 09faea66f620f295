import { anyTokenMatches, STRICT_BASE64 } from './crypto.js';
import { header, refuse, usableSecrets, verified, type VerifyInput, type VerifyResult } from './verifier.js';

const HEADER = 'authorization';

/**
 * HTTP Basic (RFC 7617): each secret is `user:password`, compared with the
 * decoded credentials of `Authorization: Basic <base64>` as bytes, in
 * constant time. The scheme name is case-insensitive (RFC 9110 §11.1).
 */
export function verifyBasic({ headers, secrets }: VerifyInput): VerifyResult {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const value = header(headers, HEADER);
  if (value === undefined) return refuse('missing_header', HEADER);
  const match = /^basic +(\S+)$/i.exec(value);
  const encoded = match?.[1];
  if (encoded === undefined || !STRICT_BASE64.test(encoded)) return refuse('malformed_header', `${HEADER} must be "Basic <base64 of user:password>"`);
  return anyTokenMatches(Buffer.from(encoded, 'base64'), keys) ? verified : refuse('wrong_credentials', HEADER);
}
