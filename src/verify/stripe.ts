import { anyDigestMatches, decodeSignature, hmac } from './crypto.js';
import { parseUnixSeconds, timestampFailure } from './timestamp.js';
import { header, refuse, usableSecrets, verified, type TimestampOptions, type VerifyInput, type VerifyResult } from './verifier.js';

const HEADER = 'stripe-signature';

/**
 * Stripe: `stripe-signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`,
 * each v1 an HMAC-SHA256 of `t + "." + raw body` under the endpoint secret
 * (the whole `whsec_…` string is the key; Stripe does not decode it). Stripe
 * sends several v1 while an endpoint secret is being rolled; any one matching
 * any active secret is enough. Other schemes (`v0`, test-mode extras) are ignored.
 *
 * Unlike Stripe's own libraries, a timestamp too far in the future is refused too.
 */
export function verifyStripe({ raw, headers, secrets, now, toleranceSec }: VerifyInput & TimestampOptions): VerifyResult {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const value = header(headers, HEADER);
  if (value === undefined) return refuse('missing_header', HEADER);
  const parsed = parseStripeHeader(value);
  if (parsed === undefined) return refuse('malformed_header', `${HEADER} must be "t=<unix seconds>,v1=<hex>"`);
  const signatures = parsed.v1.map((hex) => decodeSignature(hex, 'hex', 'sha256'));
  if (signatures.some((signature) => signature === undefined)) return refuse('malformed_header', `each v1 in ${HEADER} must be 64 hex digits`);
  if (signatures.length === 0) return refuse('no_matching_signature', `${HEADER} has no v1 signature`);
  const expected = keys.map((key) => hmac('sha256', key, `${parsed.t}.`, raw));
  if (!anyDigestMatches(expected, signatures as Buffer[])) return refuse('no_matching_signature', HEADER);
  const late = timestampFailure(parsed.signedAt, now, toleranceSec);
  return late === undefined ? verified : refuse(late, HEADER);
}

interface StripeHeader {
  /** The timestamp exactly as sent: it is signed as text. */
  t: string;
  signedAt: number;
  v1: string[];
}

function parseStripeHeader(value: string): StripeHeader | undefined {
  let t: string | undefined;
  const v1: string[] = [];
  for (const item of value.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return undefined;
    const key = item.slice(0, eq).trim();
    const text = item.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined) return undefined;
      t = text;
    } else if (key === 'v1') {
      v1.push(text);
    }
  }
  if (t === undefined) return undefined;
  const signedAt = parseUnixSeconds(t);
  return signedAt === undefined ? undefined : { t, signedAt, v1 };
}
