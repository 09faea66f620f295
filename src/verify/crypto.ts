import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

export function hmac(algorithm: HmacAlgorithm, key: string | Buffer, ...parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
/** Canonical base64: standard alphabet, padded. For secrets and credentials, where nothing else is sent. */
export const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Standard and URL-safe alphabets, padding optional: senders differ, and the
// decoded length is checked against the digest size anyway.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * A signature as bytes, or undefined when it is not exactly one
 * `algorithm` digest in `encoding`. Strict on purpose: Node's own decoders
 * skip characters they do not know, which would turn a wrong encoding into a
 * "no matching signature" instead of telling the user what is wrong.
 */
export function decodeSignature(text: string, encoding: SignatureEncoding, algorithm: HmacAlgorithm): Buffer | undefined {
  const pattern = encoding === 'hex' ? HEX : BASE64;
  if (!pattern.test(text)) return undefined;
  const bytes = Buffer.from(text, encoding);
  return bytes.length === DIGEST_BYTES[algorithm] ? bytes : undefined;
}

/**
 * True when any `expected` digest equals any `provided` one. Every pair is
 * compared, in constant time per pair, whatever matched first: neither the
 * bytes of a signature nor which secret matched shows in the timing.
 * MUST be given digests of one algorithm (equal lengths).
 */
export function anyDigestMatches(expected: readonly Buffer[], provided: readonly Buffer[]): boolean {
  let match = false;
  for (const want of expected) {
    for (const got of provided) {
      const equal = want.length === got.length && timingSafeEqual(want, got);
      match = match || equal;
    }
  }
  return match;
}

/**
 * For shared tokens and passwords, whose lengths differ and are themselves
 * secret: compare SHA-256 digests, so `timingSafeEqual` always sees 32 bytes
 * and the time taken says nothing about the secret's length or content.
 */
export function anyTokenMatches(provided: string | Buffer, secrets: readonly string[]): boolean {
  const got = sha256(provided);
  return anyDigestMatches(secrets.map(sha256), [got]);
}

function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}
