import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The key that encrypts stored secrets. Its bytes are a non-enumerable
 * property, so logging or serializing the key (`logger.info({ key })`,
 * `JSON.stringify`, `console.log`) shows only its id and source.
 */
export interface SecretKey {
  /** 8 hex digits naming the key in stored values and error messages; derived from the key, reveals nothing of it. */
  readonly id: string;
  /** Where the key came from, for messages: `HOOKFLOW_SECRET_KEY` or the key file's path. */
  readonly source: string;
  /** The 32 bytes of the AES-256 key. */
  readonly bytes: Buffer;
}

export const SECRET_KEY_FILE = 'secret.key';
const KEY_BYTES = 32;

/**
 * Reads a key written as 64 hex digits or as base64 (standard or URL-safe,
 * padding optional) of exactly 32 bytes. The error never echoes the text.
 *
 * @example decodeSecretKey(execSync('openssl rand -base64 32').toString(), 'HOOKFLOW_SECRET_KEY')
 */
export function decodeSecretKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (/^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/.test(trimmed)) bytes = Buffer.from(trimmed, 'base64');
  if (bytes?.length !== KEY_BYTES) {
    throw new Error(
      `${origin} must be ${KEY_BYTES} random bytes written as 64 hex digits or 44 base64 characters ` +
        `(make one with \`openssl rand -base64 32\`); it is ${trimmed.length} characters that are neither`,
    );
  }
  return bytes;
}

export function secretKeyFromBytes(bytes: Buffer, source: string): SecretKey {
  if (bytes.length !== KEY_BYTES) throw new Error(`a secret key is ${KEY_BYTES} bytes, got ${bytes.length}`);
  const id = createHash('sha256').update('hookflow secret key id\0').update(bytes).digest('hex').slice(0, 8);
  const key = { id, source };
  Object.defineProperty(key, 'bytes', { value: Buffer.from(bytes), enumerable: false });
  return Object.freeze(key) as SecretKey;
}

export interface LoadSecretKeyOptions {
  /** `HOOKFLOW_SECRET_KEY`; when set it wins and no file is read or created. */
  envKey: string | undefined;
  /** The data folder holding `secret.key`. */
  dataDir: string;
  log?: { info(message: string): void; warn(message: string): void };
}

/**
 * The key from `HOOKFLOW_SECRET_KEY`, else from `<dataDir>/secret.key`,
 * which the first start creates with mode 0600. A key file readable by group
 * or others is narrowed to 0600 with a warning; when that is not allowed the
 * start is refused. Never logs the key.
 */
export function loadSecretKey(options: LoadSecretKeyOptions): SecretKey {
  if (options.envKey !== undefined && options.envKey !== '') {
    return secretKeyFromBytes(decodeSecretKey(options.envKey, 'HOOKFLOW_SECRET_KEY'), 'HOOKFLOW_SECRET_KEY');
  }
  const file = path.join(options.dataDir, SECRET_KEY_FILE);
  if (createKeyFile(file)) {
    options.log?.info(`created the secret key ${file}: back it up, stored secrets cannot be decrypted without it`);
  }
  return secretKeyFromBytes(readKeyFile(file, options.log), file);
}

/** Creates the key file unless it exists; true when this call created it. */
function createKeyFile(file: string): boolean {
  if (existsSync(file)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  // Written whole under a temporary name, then hard-linked into place: link
  // fails when the file exists, so two processes starting together on one
  // data folder agree on one key, and neither ever reads a half-written file.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask may have narrowed the mode; it can never widen it, but be exact
    writeSync(fd, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot create the secret key file ${file}: ${(err as Error).message}; make the data folder writable or set HOOKFLOW_SECRET_KEY`, { cause: err });
  } finally {
    unlinkSync(temporary);
  }
}

function readKeyFile(file: string, log: LoadSecretKeyOptions['log']): Buffer {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`the secret key ${file} is not a regular file`);
    const loose = stat.mode & 0o077;
    // Windows has no POSIX modes: Node reports 0666 whatever the ACLs say.
    if (loose !== 0 && process.platform !== 'win32') {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      try {
        fchmodSync(fd, 0o600);
      } catch (err) {
        throw new Error(`the secret key ${file} has mode ${mode}, readable by others, and cannot be changed to 0600 (${(err as Error).message}); fix it with chmod 600`, { cause: err });
      }
      log?.warn(`the secret key ${file} had mode ${mode}; changed it to 0600. If others could read it, treat the stored secrets as exposed: rotate them`);
    }
    return decodeSecretKey(readFileSync(fd, 'utf8'), `the secret key file ${file}`);
  } finally {
    closeSync(fd);
  }
}
