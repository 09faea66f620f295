import { anyDigestMatches, decodeSignature, hmac, type HmacAlgorithm, type SignatureEncoding } from './crypto.js';
import { parseUnixSeconds, timestampFailure } from './timestamp.js';
import { header, refuse, usableSecrets, verified, type TimestampOptions, type VerifyInput, type VerifyResult } from './verifier.js';

export interface HmacOptions extends TimestampOptions {
  /** The header carrying the signature (any case). */
  readonly header: string;
  /** Default `sha256`. */
  readonly algorithm?: HmacAlgorithm;
  /** Default `hex`. */
  readonly encoding?: SignatureEncoding;
  /** Text before the signature in the header, e.g. `sha256=`. Default none. */
  readonly prefix?: string;
  /** A header with the signing time in unix seconds; when set, the time is signed and checked against `toleranceSec`. */
  readonly timestampHeader?: string;
  /**
   * What was signed, with `{body}` (the raw bytes) and `{timestamp}` (the
   * `timestampHeader` value as sent). Default `{body}`, or
   * `{timestamp}.{body}` when `timestampHeader` is set. Zoom, for example:
   * `v0:{timestamp}:{body}` with prefix `v0=`.
   */
  readonly payload?: string;
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/**
 * Why these options cannot verify anything, or undefined when they can. The
 * definition validator can show it; {@link verifyHmac} refuses with
 * `invalid_config` rather than guess.
 */
export function hmacConfigProblem(options: Partial<HmacOptions>): string | undefined {
  if (options.header === undefined || options.header.trim() === '') return 'the hmac preset needs `header`, the header carrying the signature';
  const payload = options.payload;
  if (payload === undefined) return undefined;
  const names = [...payload.matchAll(PLACEHOLDER)].map((match) => match[1]);
  const unknown = names.find((name) => name !== 'body' && name !== 'timestamp');
  if (unknown !== undefined) return `\`payload\` may use {body} and {timestamp}, not {${unknown}}`;
  if (names.filter((name) => name === 'body').length !== 1) return '`payload` must contain {body} exactly once';
  if (names.includes('timestamp') && options.timestampHeader === undefined) return '`payload` uses {timestamp}, so `timestampHeader` must be set';
  return undefined;
}

/**
 * Any sender that signs with an HMAC: `<prefix><hex|base64 digest>` in one
 * header, over the raw body or over a payload template that adds a timestamp.
 */
export function verifyHmac(input: VerifyInput & HmacOptions): VerifyResult {
  const { raw, headers, secrets, now, toleranceSec, prefix = '', algorithm = 'sha256', encoding = 'hex' } = input;
  const problem = hmacConfigProblem(input);
  if (problem !== undefined) return refuse('invalid_config', problem);
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const name = input.header.trim().toLowerCase();
  const value = header(headers, name);
  if (value === undefined) return refuse('missing_header', name);
  let stamp: string | undefined;
  let signedAt: number | undefined;
  if (input.timestampHeader !== undefined) {
    const stampName = input.timestampHeader.trim().toLowerCase();
    stamp = header(headers, stampName);
    if (stamp === undefined) return refuse('missing_header', stampName);
    signedAt = parseUnixSeconds(stamp);
    if (signedAt === undefined) return refuse('malformed_header', `${stampName} must be unix seconds`);
  }
  if (!value.startsWith(prefix)) return refuse('malformed_header', `${name} must start with "${prefix}"`);
  const signature = decodeSignature(value.slice(prefix.length), encoding, algorithm);
  if (signature === undefined) return refuse('malformed_header', `${name} must be a ${encoding} ${algorithm} digest`);
  const template = input.payload ?? (stamp === undefined ? '{body}' : '{timestamp}.{body}');
  const parts = payloadParts(template, raw, stamp ?? '');
  const expected = keys.map((key) => hmac(algorithm, key, ...parts));
  if (!anyDigestMatches(expected, [signature])) return refuse('no_matching_signature', name);
  if (signedAt === undefined) return verified;
  const late = timestampFailure(signedAt, now, toleranceSec);
  return late === undefined ? verified : refuse(late, input.timestampHeader?.trim().toLowerCase());
}

/** The template as pieces fed to the HMAC in order: the body stays bytes, never decoded to text. */
function payloadParts(template: string, raw: Buffer, stamp: string): (string | Buffer)[] {
  const parts: (string | Buffer)[] = [];
  let at = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(at, match.index));
    parts.push(match[1] === 'body' ? raw : stamp);
    at = match.index + match[0].length;
  }
  parts.push(template.slice(at));
  return parts;
}
