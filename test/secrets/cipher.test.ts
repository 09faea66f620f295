import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretCipher } from '../../src/secrets/cipher.js';
import { secretKeyFromBytes } from '../../src/secrets/key.js';
import { HookflowError } from '../../src/shared/errors.js';

const newKey = () => secretKeyFromBytes(randomBytes(32), 'test');

/** The HookflowError a call throws, or a failure when it does not throw one. */
function thrown(fn: () => unknown): HookflowError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HookflowError);
    return err as HookflowError;
  }
  throw new Error('expected a HookflowError');
}

describe('secret cipher (AES-256-GCM)', () => {
  const key = newKey();
  const cipher = createSecretCipher(key);

  it('round-trips any text, unicode and empty included', () => {
    for (const value of ['s3cret', '', 'ünïcödé ✓ 🔑', 'x'.repeat(70_000)]) {
      expect(cipher.decrypt('NAME', cipher.encrypt('NAME', value))).toBe(value);
    }
  });

  it('stores version, key id, a fresh 96-bit IV and the tag, never the value', () => {
    const a = cipher.encrypt('NAME', 'hunter2-hunter2');
    const b = cipher.encrypt('NAME', 'hunter2-hunter2');
    expect(a).not.toBe(b);
    const [version, keyId, iv, tag, data] = a.split(':');
    expect(version).toBe('v1');
    expect(keyId).toBe(key.id);
    expect(keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(Buffer.from(iv!, 'base64')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64')).toHaveLength(16);
    expect(Buffer.from(data!, 'base64')).toHaveLength('hunter2-hunter2'.length);
    expect(a).not.toContain('hunter2');
    expect(a).not.toContain(Buffer.from('hunter2-hunter2').toString('base64'));
  });

  it('refuses another key, naming both key ids', () => {
    const other = newKey();
    const error = thrown(() => createSecretCipher(other).decrypt('NAME', cipher.encrypt('NAME', 'v')));
    expect(error.code).toBe('secret_unreadable');
    expect(error.fault).toBe('operational');
    expect(error.message).toBe(
      `cannot decrypt secret NAME: it was encrypted with key ${key.id}, but the key now in use is ${other.id} (from test); restore the key it was stored with`,
    );
  });

  it('refuses another key that claims the same id (the tag does not match)', () => {
    const impostor = { id: key.id, source: 'test', bytes: randomBytes(32) };
    const error = thrown(() => createSecretCipher(impostor).decrypt('NAME', cipher.encrypt('NAME', 'v')));
    expect(error.message).toContain('fails its integrity check');
  });

  it('refuses a tampered ciphertext, IV or tag', () => {
    const stored = cipher.encrypt('NAME', 'the value');
    const parts = stored.split(':');
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = parts.map((part, i) => (i === index ? bytes.toString('base64') : part)).join(':');
      const error = thrown(() => cipher.decrypt('NAME', tampered));
      expect(error.code).toBe('secret_unreadable');
      expect(error.message).toBe('cannot decrypt secret NAME: the stored value fails its integrity check: it was altered, or stored under another name');
    }
  });

  it('refuses a ciphertext moved to another name', () => {
    const error = thrown(() => cipher.decrypt('OTHER', cipher.encrypt('NAME', 'the value')));
    expect(error.message).toContain('cannot decrypt secret OTHER: the stored value fails its integrity check');
  });

  it('refuses what is not its format', () => {
    for (const stored of ['', 'plain text', 'v2:abcd:a:b:c', `v1:${key.id}:AAAA:AAAA:AAAA`, `v1:${key.id}:a:b:c:d`]) {
      expect(thrown(() => cipher.decrypt('NAME', stored)).code).toBe('secret_unreadable');
    }
  });
});
