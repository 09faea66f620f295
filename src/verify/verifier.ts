/**
 * The shape every sender check shares (STYLE.md habit 5): raw bytes in, a
 * verdict out, the clock passed in. A scheme never parses the body, never
 * reads the environment and never throws on anything a sender controls.
 *
 * @example
 * const verdict = verifyGithub({ raw, headers, secrets: [current, previous], now: clock.now() });
 * if (!verdict.ok) log({ outcome: 'unauthorized', reason: verdict.reason });
 */

/** What a scheme is given. `headers` has lower-case names, as `$context.headers` has. */
export interface VerifyInput {
  /** The body exactly as received: signatures are over these bytes, never over re-serialized JSON. */
  readonly raw: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Every active secret; more than one while a secret is being rotated. */
  readonly secrets: readonly string[];
  readonly now: Date;
}

/** For the schemes that sign a timestamp. */
export interface TimestampOptions {
  /** Largest accepted distance, in seconds, between the signed timestamp and `now`, in either direction. Default 300. */
  readonly toleranceSec?: number;
}

export const DEFAULT_TOLERANCE_SEC = 300;

/**
 * Why a request was refused. Stable codes: they are stored in the request log
 * and listed in docs/security.md (a test keeps the two in step). `fault` says
 * who has to act: the sender (`client`) or whoever wrote the workflow
 * (`operational`, a configuration that can never verify anything).
 */
export const verifyFailures = {
  missing_secret: { fault: 'operational', doc: 'The workflow has no usable secret: `secret` is empty or its `$secrets` entry is not set.' },
  malformed_secret: { fault: 'operational', doc: 'The secret cannot be used by its scheme (a `standard-webhooks` secret that is not base64 after `whsec_`).' },
  invalid_config: { fault: 'operational', doc: 'The `verify` options cannot work (the `hmac` preset without `header`, a `payload` without `{body}`).' },
  missing_header: { fault: 'client', doc: 'A header the scheme needs is absent or empty; the detail names it.' },
  malformed_header: { fault: 'client', doc: 'A header is present but not in the scheme\'s format: wrong prefix, wrong encoding, wrong length, a timestamp that is not a number.' },
  no_matching_signature: { fault: 'client', doc: 'The signature is well formed but made with none of the active secrets, or over other bytes (a changed or re-serialized body).' },
  wrong_credentials: { fault: 'client', doc: 'The token or user:password (`gitlab`, `basic`, `bearer`) matches none of the active secrets.' },
  stale_timestamp: { fault: 'client', doc: 'Correctly signed, but the signed timestamp is older than `toleranceSec`: a replay, or the sender\'s clock is behind.' },
  future_timestamp: { fault: 'client', doc: 'Correctly signed, but the signed timestamp is more than `toleranceSec` ahead: the sender\'s clock is ahead, or ours is behind.' },
} as const satisfies Record<string, { fault: 'client' | 'operational'; doc: string }>;

export type VerifyFailure = keyof typeof verifyFailures;

/**
 * `detail` says which header or option, for the request log; it never holds a
 * secret, a signature or any part of the body.
 */
export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: VerifyFailure; readonly detail?: string };

export const verified: VerifyResult = Object.freeze({ ok: true });

export function refuse(reason: VerifyFailure, detail?: string): VerifyResult {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** Active secrets with blanks dropped: a `{{ $secrets.X }}` that resolved to "" must not become an empty key. */
export function usableSecrets(secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret !== '');
}

/** A header's value, or undefined when it is absent or blank (both are "missing" to the sender). */
export function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  // Own properties only: a configured header named `constructor` must not find Object.prototype's.
  const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  return text === '' ? undefined : text;
}
