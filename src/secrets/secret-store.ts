import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { HookflowError } from '../shared/errors.js';
import type { Database } from '../store/schema.js';
import { deleteSecret, listSecretNames, listSecrets, upsertSecret, type SecretSummary } from '../store/secrets.js';
import { createSecretCipher } from './cipher.js';
import type { SecretKey } from './key.js';
import { assertSecretName } from './secret-name.js';

export type { SecretSummary };

/**
 * Named secrets, encrypted at rest. Values go in through `put` and come out
 * only through `values()`, for `$secrets` in runs: nothing here returns one
 * value by name, and `list()` gives names and timestamps only.
 *
 * @example
 * const secrets = createSecretStore({ db, key, clock });
 * await secrets.put('SLACK_URL', 'https://hooks.slack.com/…');
 * (await secrets.values()).SLACK_URL; // 'https://hooks.slack.com/…'
 */
export interface SecretStore {
  /** Creates or replaces; throws `bad_request` for a name that is not `^[A-Z][A-Z0-9_]{0,127}$`. */
  put(name: string, value: string): Promise<void>;
  /** Throws `not_found` when there is no such secret. */
  remove(name: string): Promise<void>;
  list(): Promise<SecretSummary[]>;
  /** Every secret decrypted, frozen; throws `secret_unreadable` when any fails to decrypt. */
  values(): Promise<Readonly<Record<string, string>>>;
}

export interface SecretStoreOptions {
  db: Kysely<Database>;
  key: SecretKey;
  clock: Clock;
  /**
   * How long `values()` may answer from memory. Changes made through this
   * store show at once; this bounds how late a change made by another
   * process on the same PostgreSQL shows. Default 5000.
   */
  maxAgeMs?: number;
}

export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const { db, clock } = options;
  const maxAgeMs = options.maxAgeMs ?? 5000;
  const cipher = createSecretCipher(options.key);
  const nowIso = () => clock.now().toISOString();

  // `generation` counts local changes: a read that began before a change
  // MUST NOT fill the cache after it, or a put would stay invisible until
  // the next refresh.
  let generation = 0;
  let cached: { values: Readonly<Record<string, string>>; loadedAt: number } | undefined;
  let loading: { promise: Promise<Readonly<Record<string, string>>>; generation: number } | undefined;

  const invalidate = () => {
    generation += 1;
    cached = undefined;
  };

  async function load(): Promise<Readonly<Record<string, string>>> {
    const rows = await listSecrets(db);
    // A prototype-less object: `$secrets.constructor` is nothing, not a function.
    const values: Record<string, string> = Object.create(null);
    const failures: { name: string; message: string }[] = [];
    for (const row of rows) {
      try {
        values[row.name] = cipher.decrypt(row.name, row.ciphertext);
      } catch (err) {
        failures.push({ name: row.name, message: (err as Error).message });
      }
    }
    if (failures.length > 0) {
      const others = failures.length > 1 ? ` (and ${failures.length - 1} more: ${failures.slice(1).map((f) => f.name).join(', ')})` : '';
      throw new HookflowError('secret_unreadable', `${failures[0]!.message}${others}`, { details: failures });
    }
    return Object.freeze(values);
  }

  return {
    async put(name, value) {
      assertSecretName(name);
      if (typeof value !== 'string') throw new HookflowError('bad_request', `the value of secret ${name} must be a string`);
      await upsertSecret(db, { name, ciphertext: cipher.encrypt(name, value), now: nowIso() });
      invalidate();
    },

    async remove(name) {
      assertSecretName(name);
      const deleted = await deleteSecret(db, name);
      invalidate();
      if (!deleted) throw new HookflowError('not_found', `secret ${name} does not exist`);
    },

    list: () => listSecretNames(db),

    values() {
      if (cached && clock.now().getTime() - cached.loadedAt < maxAgeMs) return Promise.resolve(cached.values);
      if (loading?.generation === generation) return loading.promise;
      const started = generation;
      const loadedAt = clock.now().getTime();
      const promise = load().then((values) => {
        if (started === generation) cached = { values, loadedAt };
        return values;
      });
      // Concurrent callers share one read; a failed read is not cached, the next call tries again.
      const settle = () => {
        if (loading?.promise === promise) loading = undefined;
      };
      promise.then(settle, settle);
      loading = { promise, generation: started };
      return promise;
    },
  };
}
