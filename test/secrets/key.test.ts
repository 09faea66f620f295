import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { decodeSecretKey, loadSecretKey, secretKeyFromBytes } from '../../src/secrets/key.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookflow-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const mode = (file: string) => statSync(file).mode & 0o777;

function recorder() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(`info: ${m}`), warn: (m: string) => lines.push(`warn: ${m}`) } };
}

describe('decodeSecretKey', () => {
  const bytes = randomBytes(32);

  it('reads hex, base64 and base64url, with or without padding and whitespace', () => {
    for (const text of [
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=$/, ''),
      bytes.toString('base64url'),
      ` ${bytes.toString('base64')}\n`,
    ]) {
      expect(decodeSecretKey(text, 'K').equals(bytes)).toBe(true);
    }
  });

  it('refuses other lengths and alphabets with a clear message that does not echo the text', () => {
    for (const text of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), `${bytes.toString('hex')}0`, 'g'.repeat(64)]) {
      expect(() => decodeSecretKey(text, 'HOOKFLOW_SECRET_KEY')).toThrow(
        /^HOOKFLOW_SECRET_KEY must be 32 random bytes written as 64 hex digits or 44 base64 characters \(make one with `openssl rand -base64 32`\); it is \d+ characters that are neither$/,
      );
    }
  });

  it('stops loadConfig on a malformed HOOKFLOW_SECRET_KEY, without echoing it', () => {
    expect(() => loadConfig({ HOOKFLOW_SECRET_KEY: 'not-a-key-but-a-password' })).toThrow(/HOOKFLOW_SECRET_KEY must be 32 random bytes/);
    try {
      loadConfig({ HOOKFLOW_SECRET_KEY: 'not-a-key-but-a-password' });
    } catch (err) {
      expect((err as Error).message).not.toContain('password');
    }
    expect(loadConfig({ HOOKFLOW_SECRET_KEY: bytes.toString('base64') }).secretKey).toBe(bytes.toString('base64'));
    expect(loadConfig({ HOOKFLOW_SECRET_KEY: '' }).secretKey).toBeUndefined();
  });
});

describe('secretKeyFromBytes', () => {
  it('derives a stable 8-hex id and keeps the bytes out of logs and JSON', () => {
    const bytes = randomBytes(32);
    const key = secretKeyFromBytes(bytes, 'test');
    expect(key.id).toMatch(/^[0-9a-f]{8}$/);
    expect(secretKeyFromBytes(Buffer.from(bytes), 'elsewhere').id).toBe(key.id);
    expect(secretKeyFromBytes(randomBytes(32), 'test').id).not.toBe(key.id);
    expect(key.bytes.equals(bytes)).toBe(true);
    expect(JSON.stringify({ key })).toBe(`{"key":{"id":"${key.id}","source":"test"}}`);
    expect(inspect(key)).not.toContain(bytes.toString('hex').slice(0, 8));
    expect(Object.keys(key)).toEqual(['id', 'source']);
  });
});

describe('loadSecretKey', () => {
  it('creates secret.key with mode 0600 on first use and reuses it after', () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const first = recorder();
    const key = loadSecretKey({ envKey: undefined, dataDir, log: first.log });
    const file = path.join(dataDir, 'secret.key');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(key.source).toBe(file);
    expect(first.lines).toEqual([`info: created the secret key ${file}: back it up, stored secrets cannot be decrypted without it`]);
    // The file's text is usable as HOOKFLOW_SECRET_KEY.
    expect(decodeSecretKey(readFileSync(file, 'utf8'), 'f').equals(key.bytes)).toBe(true);

    const again = recorder();
    const reused = loadSecretKey({ envKey: undefined, dataDir, log: again.log });
    expect(reused.id).toBe(key.id);
    expect(reused.bytes.equals(key.bytes)).toBe(true);
    expect(again.lines).toEqual([]);
    expect(existsSync(dataDir) && statSync(dataDir).isDirectory()).toBe(true);
  });

  it('lets HOOKFLOW_SECRET_KEY win: no file is read or created', () => {
    const dataDir = tempDir();
    const bytes = randomBytes(32);
    writeFileSync(path.join(dataDir, 'secret.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const key = loadSecretKey({ envKey: bytes.toString('hex'), dataDir });
    expect(key.bytes.equals(bytes)).toBe(true);
    expect(key.source).toBe('HOOKFLOW_SECRET_KEY');

    const empty = tempDir();
    loadSecretKey({ envKey: bytes.toString('base64'), dataDir: empty });
    expect(existsSync(path.join(empty, 'secret.key'))).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('narrows a key file readable by others to 0600, with a warning', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'secret.key');
    const key = loadSecretKey({ envKey: undefined, dataDir });
    chmodSync(file, 0o644);
    const { lines, log } = recorder();
    expect(loadSecretKey({ envKey: undefined, dataDir, log }).id).toBe(key.id);
    expect(mode(file)).toBe(0o600);
    expect(lines).toEqual([`warn: the secret key ${file} had mode 0644; changed it to 0600. If others could read it, treat the stored secrets as exposed: rotate them`]);
  });

  it('refuses a key file that is not a key, and never overwrites it', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'secret.key');
    writeFileSync(file, 'my password\n', { mode: 0o600 });
    expect(() => loadSecretKey({ envKey: undefined, dataDir })).toThrow(`the secret key file ${file} must be 32 random bytes`);
    expect(readFileSync(file, 'utf8')).toBe('my password\n');
  });

  it('leaves no temporary files behind', () => {
    const dataDir = tempDir();
    loadSecretKey({ envKey: undefined, dataDir });
    loadSecretKey({ envKey: undefined, dataDir });
    expect(readdirSync(dataDir)).toEqual(['secret.key']);
  });
});

