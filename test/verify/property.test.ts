import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyRequest, type VerifyConfig } from '../../src/verify/index.js';
import { at, githubHeaders, hex, shopifyHeaders, slackHeaders, standardHeaders, stripeHeaders } from './sign.js';

const T = 1_700_000_000;

type Signer = { preset: string; config: (secret: string) => VerifyConfig; sign: (secret: string, body: Buffer) => Record<string, string> };

// Standard Webhooks keys are bytes; the others take the secret as text.
const swSecret = (secret: string) => `whsec_${Buffer.from(secret).toString('base64')}`;

const signers: Signer[] = [
  { preset: 'github', config: (s) => ({ preset: 'github', secrets: [s] }), sign: githubHeaders },
  { preset: 'shopify', config: (s) => ({ preset: 'shopify', secrets: [s] }), sign: shopifyHeaders },
  { preset: 'stripe', config: (s) => ({ preset: 'stripe', secrets: [s] }), sign: (s, b) => stripeHeaders([s], b, T) },
  { preset: 'slack', config: (s) => ({ preset: 'slack', secrets: [s] }), sign: (s, b) => slackHeaders(s, b, T) },
  { preset: 'standard-webhooks', config: (s) => ({ preset: 'standard-webhooks', secrets: [swSecret(s)] }), sign: (s, b) => standardHeaders([swSecret(s)], b, T) },
  { preset: 'hmac', config: (s) => ({ preset: 'hmac', secrets: [s], header: 'x-sig' }), sign: (s, b) => ({ 'x-sig': hex(s, b) }) },
];

const body = fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes));
const secret = fc.string({ minLength: 1, maxLength: 64, unit: 'binary' });

describe.each(signers)('$preset, for any body and secret', ({ config, sign }) => {
  it('verifies what was signed, and refuses it after any single-byte change', () => {
    fc.assert(
      fc.property(body, secret, fc.nat(), fc.integer({ min: 1, max: 255 }), (raw, key, position, flip) => {
        const headers = sign(key, raw);
        expect(verifyRequest(config(key), { raw, headers, now: at(T) })).toEqual({ ok: true });
        const changed = Buffer.from(raw);
        const i = position % changed.length;
        changed[i] = changed[i]! ^ flip;
        expect(verifyRequest(config(key), { raw: changed, headers, now: at(T) })).toMatchObject({ ok: false, reason: 'no_matching_signature' });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a signature made with any other secret', () => {
    fc.assert(
      fc.property(body, secret, secret, (raw, key, other) => {
        // Distinct as bytes: lone surrogates all encode to U+FFFD in UTF-8.
        fc.pre(!Buffer.from(key).equals(Buffer.from(other)));
        const verdict = verifyRequest(config(key), { raw, headers: sign(other, raw), now: at(T) });
        expect(verdict).toMatchObject({ ok: false });
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary header values', () => {
    const headerNames = Object.keys(sign('k', Buffer.from('x')));
    fc.assert(
      fc.property(body, fc.array(fc.string({ unit: 'binary' }), { minLength: headerNames.length, maxLength: headerNames.length }), (raw, values) => {
        const headers = Object.fromEntries(headerNames.map((name, i) => [name, values[i]!]));
        expect(verifyRequest(config('k'), { raw, headers, now: at(T) }).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
