import { describe, expect, it } from 'vitest';
import { VERIFY_PRESETS as DEFINITION_PRESETS } from '../../src/engine/definition.js';
import { secretList, VERIFY_PRESETS, verifyRequest, type VerifyConfig } from '../../src/verify/index.js';
import { at, basicHeader, githubHeaders, hex, shopifyHeaders, slackHeaders, standardHeaders, stripeHeaders } from './sign.js';

const T = 1_700_000_000;
const raw = Buffer.from('{"ok":true}');
const S = 's3cret';
const SW = `whsec_${Buffer.from('0123456789abcdef').toString('base64')}`;

const cases: [VerifyConfig, Record<string, string>][] = [
  [{ preset: 'github', secrets: [S] }, githubHeaders(S, raw)],
  [{ preset: 'gitlab', secrets: [S] }, { 'x-gitlab-token': S }],
  [{ preset: 'stripe', secrets: [S] }, stripeHeaders([S], raw, T)],
  [{ preset: 'slack', secrets: [S] }, slackHeaders(S, raw, T)],
  [{ preset: 'shopify', secrets: [S] }, shopifyHeaders(S, raw)],
  [{ preset: 'standard-webhooks', secrets: [SW] }, standardHeaders([SW], raw, T)],
  [{ preset: 'hmac', secrets: [S], header: 'X-Sig', prefix: 'sha256=' }, { 'x-sig': `sha256=${hex(S, raw)}` }],
  [{ preset: 'basic', secrets: [`u:${S}`] }, basicHeader(`u:${S}`)],
  [{ preset: 'bearer', secrets: [S] }, { authorization: `Bearer ${S}` }],
];

describe('verifyRequest', () => {
  it('has a case for every preset, and the same presets as the definition schema', () => {
    expect(cases.map(([config]) => config.preset).sort()).toEqual([...VERIFY_PRESETS].sort());
    expect([...VERIFY_PRESETS].sort()).toEqual([...DEFINITION_PRESETS].sort());
  });

  it.each(cases.map(([config, headers]) => [config.preset, config, headers] as const))('%s: dispatches to its scheme', (_p, config, headers) => {
    expect(verifyRequest(config, { raw, headers, now: at(T) })).toEqual({ ok: true });
    expect(verifyRequest(config, { raw, headers: {}, now: at(T) })).toMatchObject({ ok: false, reason: 'missing_header' });
    expect(verifyRequest({ ...config, secrets: [] }, { raw, headers, now: at(T) })).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it('passes toleranceSec to the timestamped schemes', () => {
    const config: VerifyConfig = { preset: 'slack', secrets: [S], toleranceSec: 10 };
    const headers = slackHeaders(S, raw, T);
    expect(verifyRequest(config, { raw, headers, now: at(T + 10) }).ok).toBe(true);
    expect(verifyRequest(config, { raw, headers, now: at(T + 11) })).toMatchObject({ reason: 'stale_timestamp' });
  });

  it('passes header to bearer, and refuses hmac without one', () => {
    expect(verifyRequest({ preset: 'bearer', secrets: [S], header: 'x-api-key' }, { raw, headers: { 'x-api-key': S }, now: at(T) }).ok).toBe(true);
    expect(verifyRequest({ preset: 'hmac', secrets: [S] }, { raw, headers: {}, now: at(T) })).toMatchObject({ reason: 'invalid_config' });
  });

  it('throws on a preset it does not know (a bug upstream, never a sender\'s doing)', () => {
    expect(() => verifyRequest({ preset: 'nope' as never, secrets: [S] }, { raw, headers: {}, now: at(T) })).toThrow(/unexpected value/);
  });
});

describe('secretList', () => {
  it.each([
    ['one string', 'a', ['a']],
    ['a list (rotation)', ['new', 'old'], ['new', 'old']],
    ['blanks dropped', ['new', ''], ['new']],
    ['an unset secret', '', []],
    ['nothing', undefined, []],
    ['a non-string', 42, []],
    ['non-strings in a list', ['a', null, 1], ['a']],
  ])('%s', (_name, value, expected) => {
    expect(secretList(value)).toEqual(expected);
  });
});
