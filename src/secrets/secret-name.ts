import { HookflowError } from '../shared/errors.js';

/**
 * Secret names look like environment variables, so `$secrets.NAME` always
 * works with a dot (no brackets) and names copied from a `.env` file fit.
 */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

/** Throws `bad_request` unless `name` is a valid secret name. */
export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new HookflowError(
      'bad_request',
      `"${name.slice(0, 140)}" is not a secret name: use an uppercase letter, then uppercase letters, digits and _ (at most 128 characters), e.g. GITHUB_WEBHOOK_SECRET`,
    );
  }
}
