/**
 * The helpers a script may call, implemented on the host: strings in,
 * strings out, so nothing but text crosses the boundary. `prelude.ts` wraps
 * them for the script (argument checks, defaults, `base64.encode/decode`).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'] as const;
const ENCODINGS = ['hex', 'base64', 'base64url'] as const;

/** A helper refused its arguments; the script sees a `TypeError` with this message. */
export class HelperError extends Error {}

function algorithm(name: string): string {
  const lower = name.toLowerCase().replace('-', '');
  if (!(ALGORITHMS as readonly string[]).includes(lower)) throw new HelperError(`unknown algorithm "${name}"; use one of ${ALGORITHMS.join(', ')}`);
  return lower;
}

function encoding(name: string): 'hex' | 'base64' | 'base64url' {
  if (!(ENCODINGS as readonly string[]).includes(name)) throw new HelperError(`unknown encoding "${name}"; use one of ${ENCODINGS.join(', ')}`);
  return name as 'hex' | 'base64' | 'base64url';
}

export const hostHelpers = {
  /** `hmac('sha256', key, data, 'hex')`: key and data as UTF-8. */
  hmac: (alg: string, key: string, data: string, enc: string): string =>
    createHmac(algorithm(alg), key).update(data, 'utf8').digest(encoding(enc)),
  sha256: (data: string, enc: string): string => createHash('sha256').update(data, 'utf8').digest(encoding(enc)),
  /** UTF-8 text → base64. */
  base64Encode: (text: string): string => Buffer.from(text, 'utf8').toString('base64'),
  /** base64 or base64url → UTF-8 text. */
  base64Decode: (encoded: string): string => {
    if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(encoded.trim())) throw new HelperError('base64.decode: not base64 text');
    return Buffer.from(encoded.trim(), 'base64').toString('utf8');
  },
  uuid: (): string => randomUUID(),
} satisfies Record<string, (...args: string[]) => string>;

export type HostHelperName = keyof typeof hostHelpers;
