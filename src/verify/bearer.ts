import { anyTokenMatches } from './crypto.js';
import { header, refuse, usableSecrets, verified, type VerifyInput, type VerifyResult } from './verifier.js';

const DEFAULT_HEADER = 'authorization';

export interface BearerOptions {
  /**
   * Read the token from this header instead, the whole value (e.g.
   * `x-api-key`). Default, and whenever it is `authorization`:
   * `Authorization: Bearer <token>` (RFC 6750 §2.1).
   */
  readonly header?: string;
}

/** A shared token, compared in constant time with every active secret. */
export function verifyBearer(input: VerifyInput & BearerOptions): VerifyResult {
  const keys = usableSecrets(input.secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const name = input.header?.trim().toLowerCase() || DEFAULT_HEADER;
  const value = header(input.headers, name);
  if (value === undefined) return refuse('missing_header', name);
  let token = value;
  // `header: Authorization` written out still means the Bearer scheme.
  if (name === DEFAULT_HEADER) {
    const match = /^bearer +(\S+)$/i.exec(value);
    if (match?.[1] === undefined) return refuse('malformed_header', `${name} must be "Bearer <token>"`);
    token = match[1];
  }
  return anyTokenMatches(token, keys) ? verified : refuse('wrong_credentials', name);
}
