import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HookflowError } from '../shared/errors.js';
import type { SecretKey } from './key.js';

/**
 * AES-256-GCM for stored secrets. The stored text is
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` (the last three base64): the version
 * names this scheme and the key id the key, so a later key rotation can keep
 * several keys and pick the right one. The secret's name is the additional
 * authenticated data: a ciphertext copied onto another name fails to decrypt.
 *
 * @example
 * const cipher = createSecretCipher(key);
 * const stored = cipher.encrypt('GITHUB_SECRET', 's3cret');
 * cipher.decrypt('GITHUB_SECRET', stored); // 's3cret'
 */
export interface SecretCipher {
  readonly keyId: string;
  encrypt(name: string, plaintext: string): string;
  /** Throws `secret_unreadable` for another key, an altered value, or another name. */
  decrypt(name: string, stored: string): string;
}

const VERSION = 'v1';
// NIST SP 800-38D §8.2.2: random 96-bit IVs keep the chance of a repeat under
// 2^-32 for up to 2^32 encryptions under one key — far beyond any secret count.
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretCipher(key: SecretKey): SecretCipher {
  const aad = (name: string) => Buffer.from(`hookflow secret\0${name}`, 'utf8');
  const unreadable = (name: string, why: string) => new HookflowError('secret_unreadable', `cannot decrypt secret ${name}: ${why}`);

  return {
    keyId: key.id,

    encrypt(name, plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key.bytes, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(name));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'));
      return [VERSION, key.id, ...parts].join(':');
    },

    decrypt(name, stored) {
      const [version, keyId, iv, tag, ciphertext, ...rest] = stored.split(':');
      if (version !== VERSION || ciphertext === undefined || rest.length > 0) {
        throw unreadable(name, `the stored value is not in the ${VERSION} format`);
      }
      if (keyId !== key.id) {
        throw unreadable(name, `it was encrypted with key ${keyId}, but the key now in use is ${key.id} (from ${key.source}); restore the key it was stored with`);
      }
      const ivBytes = Buffer.from(iv!, 'base64');
      const tagBytes = Buffer.from(tag!, 'base64');
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw unreadable(name, 'the stored value is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.bytes, ivBytes, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(name));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw unreadable(name, 'the stored value fails its integrity check: it was altered, or stored under another name');
      }
    },
  };
}
