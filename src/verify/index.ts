/**
 * Sender verification: one function per scheme, and {@link verifyRequest}
 * choosing among them by a trigger's `verify.preset`. Pure: no I/O, no
 * environment, the clock passed in.
 */
import { assertNever } from '../shared/errors.js';
import { verifyBasic } from './basic.js';
import { verifyBearer } from './bearer.js';
import type { HmacAlgorithm, SignatureEncoding } from './crypto.js';
import { verifyGithub } from './github.js';
import { verifyGitlab } from './gitlab.js';
import { verifyHmac } from './hmac.js';
import { verifyShopify } from './shopify.js';
import { verifySlack } from './slack.js';
import { verifyStandardWebhook } from './standard-webhooks.js';
import { verifyStripe } from './stripe.js';
import type { VerifyResult } from './verifier.js';

export const VERIFY_PRESETS = [
  'github', 'gitlab', 'stripe', 'slack', 'shopify', 'standard-webhooks', 'hmac', 'basic', 'bearer',
] as const;
export type VerifyPreset = (typeof VERIFY_PRESETS)[number];

/** A trigger's `verify`, its secrets resolved to a list (see {@link secretList}). */
export interface VerifyConfig {
  readonly preset: VerifyPreset;
  readonly secrets: readonly string[];
  /** Timestamped schemes (`stripe`, `slack`, `standard-webhooks`, `hmac` with `timestampHeader`). Default 300. */
  readonly toleranceSec?: number;
  /** `hmac`: the signature header (required). `bearer`: read the token from this header instead of `Authorization`. */
  readonly header?: string;
  readonly algorithm?: HmacAlgorithm;
  readonly encoding?: SignatureEncoding;
  readonly prefix?: string;
  readonly timestampHeader?: string;
  readonly payload?: string;
}

export interface RequestInput {
  readonly raw: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly now: Date;
}

/**
 * @example
 * const verdict = verifyRequest(
 *   { preset: 'github', secrets: secretList(resolved.secret) },
 *   { raw: request.rawBody, headers: flattenHeaders(request.headers), now: clock.now() },
 * );
 * if (!verdict.ok) throw new HookflowError('unauthorized', 'Webhook signature or credentials are wrong');
 */
export function verifyRequest(config: VerifyConfig, input: RequestInput): VerifyResult {
  const common = { ...input, secrets: config.secrets };
  const timed = { ...common, toleranceSec: config.toleranceSec };
  switch (config.preset) {
    case 'github': return verifyGithub(common);
    case 'gitlab': return verifyGitlab(common);
    case 'stripe': return verifyStripe(timed);
    case 'slack': return verifySlack(timed);
    case 'shopify': return verifyShopify(common);
    case 'standard-webhooks': return verifyStandardWebhook(timed);
    case 'hmac':
      return verifyHmac({
        ...timed,
        header: config.header ?? '',
        algorithm: config.algorithm,
        encoding: config.encoding,
        prefix: config.prefix,
        timestampHeader: config.timestampHeader,
        payload: config.payload,
      });
    case 'basic': return verifyBasic(common);
    case 'bearer': return verifyBearer({ ...common, header: config.header });
    default: return assertNever(config.preset);
  }
}

/**
 * A definition's `secret`, a string or a list of strings (the active secrets
 * during a rotation), as the list every scheme takes. Anything else gives an
 * empty list, which every scheme refuses with `missing_secret`.
 */
export function secretList(secret: unknown): string[] {
  const items = Array.isArray(secret) ? secret : [secret];
  return items.filter((item): item is string => typeof item === 'string' && item !== '');
}

export { hmacConfigProblem, type HmacOptions } from './hmac.js';
export type { HmacAlgorithm, SignatureEncoding } from './crypto.js';
export { verifyFailures, type VerifyFailure, type VerifyInput, type VerifyResult } from './verifier.js';
export { verifyBasic, verifyBearer, verifyGithub, verifyGitlab, verifyHmac, verifyShopify, verifySlack, verifyStandardWebhook, verifyStripe };
