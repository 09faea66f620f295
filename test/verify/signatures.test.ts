import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacConfigProblem, verifyGithub, verifyHmac, verifyShopify } from '../../src/verify/index.js';
import { b64, githubHeaders, hex, shopifyHeaders } from './sign.js';

const now = new Date('2025-01-01T00:00:00Z');
const raw = Buffer.from('{"action":"opened","n":1}');
const [OLD, NEW] = ['old-secret', 'new-secret'];

describe('verifyGithub', () => {
  const verify = (headers: Record<string, string>, secrets = [NEW], body = raw) => verifyGithub({ raw: body, headers, secrets, now });

  it('accepts a body signed with the secret', () => {
    expect(verify(githubHeaders(NEW, raw))).toEqual({ ok: true });
  });

  it('accepts a signature by either active secret while rotating', () => {
    expect(verify(githubHeaders(OLD, raw), [NEW, OLD]).ok).toBe(true);
    expect(verify(githubHeaders(NEW, raw), [NEW, OLD]).ok).toBe(true);
    expect(verify(githubHeaders(OLD, raw), [NEW])).toMatchObject({ ok: false, reason: 'no_matching_signature' });
  });

  it('refuses a tampered body', () => {
    expect(verify(githubHeaders(NEW, raw), [NEW], Buffer.from('{"action":"opened","n":2}'))).toMatchObject({ ok: false, reason: 'no_matching_signature' });
  });

  it('accepts upper-case hex digits and surrounding spaces', () => {
    expect(verify({ 'x-hub-signature-256': ` sha256=${hex(NEW, raw).toUpperCase()} ` }).ok).toBe(true);
  });

  it.each([
    ['missing header', {}, 'missing_header'],
    ['empty header', { 'x-hub-signature-256': '' }, 'missing_header'],
    ['legacy sha1 header only', { 'x-hub-signature': 'sha1=0000000000000000000000000000000000000000' }, 'missing_header'],
    ['no prefix', { 'x-hub-signature-256': hex(NEW, raw) }, 'malformed_header'],
    ['sha1 prefix', { 'x-hub-signature-256': `sha1=${hex(NEW, raw)}` }, 'malformed_header'],
    ['base64 instead of hex (wrong encoding)', { 'x-hub-signature-256': `sha256=${b64(NEW, raw)}` }, 'malformed_header'],
    ['truncated digest', { 'x-hub-signature-256': `sha256=${hex(NEW, raw).slice(0, 62)}` }, 'malformed_header'],
    ['odd-length hex', { 'x-hub-signature-256': `sha256=${hex(NEW, raw).slice(0, 63)}` }, 'malformed_header'],
    ['non-hex characters', { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }, 'malformed_header'],
    ['two signatures joined by a repeated header', { 'x-hub-signature-256': `sha256=${hex(NEW, raw)}, sha256=${hex(OLD, raw)}` }, 'malformed_header'],
    ['wrong secret', githubHeaders('guess', raw), 'no_matching_signature'],
  ])('refuses %s', (_name, headers, reason) => {
    expect(verify(headers as Record<string, string>)).toMatchObject({ ok: false, reason });
  });

  it('refuses with missing_secret when no secret is configured, whatever was sent', () => {
    expect(verify(githubHeaders('', raw), [])).toMatchObject({ ok: false, reason: 'missing_secret' });
    expect(verify(githubHeaders('', raw), [''])).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it('names the header in the detail, and never the expected signature', () => {
    const verdict = verify(githubHeaders('guess', raw));
    expect(verdict).toEqual({ ok: false, reason: 'no_matching_signature', detail: 'x-hub-signature-256' });
    expect(JSON.stringify(verify({}))).not.toContain(hex(NEW, raw));
  });
});

describe('verifyShopify', () => {
  const verify = (headers: Record<string, string>, secrets = [NEW]) => verifyShopify({ raw, headers, secrets, now });

  it('accepts a base64 signature, with either active secret', () => {
    expect(verify(shopifyHeaders(NEW, raw)).ok).toBe(true);
    expect(verify(shopifyHeaders(OLD, raw), [NEW, OLD]).ok).toBe(true);
  });

  it.each([
    ['missing header', {}, 'missing_header'],
    ['hex instead of base64 (wrong encoding)', { 'x-shopify-hmac-sha256': hex(NEW, raw) }, 'malformed_header'],
    ['not base64 at all', { 'x-shopify-hmac-sha256': 'not*base64!' }, 'malformed_header'],
    ['wrong secret', shopifyHeaders(OLD, raw), 'no_matching_signature'],
  ])('refuses %s', (_name, headers, reason) => {
    expect(verify(headers as Record<string, string>)).toMatchObject({ ok: false, reason });
  });
});

describe('verifyHmac', () => {
  const base = { raw, secrets: [NEW], now };

  it.each([
    ['sha1', 'hex'],
    ['sha256', 'hex'],
    ['sha512', 'hex'],
    ['sha1', 'base64'],
    ['sha256', 'base64'],
    ['sha512', 'base64'],
  ] as const)('accepts %s in %s, with a prefix, header named in any case', (algorithm, encoding) => {
    const signature = createHmac(algorithm, NEW).update(raw).digest(encoding);
    const options = { header: 'X-Signature', algorithm, encoding, prefix: `${algorithm}=` };
    expect(verifyHmac({ ...base, ...options, headers: { 'x-signature': `${algorithm}=${signature}` } }).ok).toBe(true);
    expect(verifyHmac({ ...base, ...options, headers: { 'x-signature': signature } })).toMatchObject({ ok: false, reason: 'malformed_header' });
  });

  it('defaults to sha256, hex and no prefix', () => {
    expect(verifyHmac({ ...base, header: 'x-sig', headers: { 'x-sig': hex(NEW, raw) } }).ok).toBe(true);
  });

  it('refuses a digest of the wrong algorithm or encoding as malformed, not as a mismatch', () => {
    const sha1 = createHmac('sha1', NEW).update(raw).digest('hex');
    expect(verifyHmac({ ...base, header: 'x-sig', headers: { 'x-sig': sha1 } })).toMatchObject({ ok: false, reason: 'malformed_header' });
    expect(verifyHmac({ ...base, header: 'x-sig', encoding: 'base64', headers: { 'x-sig': hex(NEW, raw) } })).toMatchObject({ ok: false, reason: 'malformed_header' });
  });

  it('supports rotation, tampering and missing headers like every scheme', () => {
    const options = { header: 'x-sig' };
    expect(verifyHmac({ ...base, ...options, secrets: [NEW, OLD], headers: { 'x-sig': hex(OLD, raw) } }).ok).toBe(true);
    expect(verifyHmac({ ...base, ...options, raw: Buffer.from('x'), headers: { 'x-sig': hex(NEW, raw) } })).toMatchObject({ reason: 'no_matching_signature' });
    expect(verifyHmac({ ...base, ...options, headers: {} })).toEqual({ ok: false, reason: 'missing_header', detail: 'x-sig' });
  });

  it('refuses with invalid_config rather than guess when the options cannot work', () => {
    expect(verifyHmac({ ...base, header: '', headers: {} })).toMatchObject({ ok: false, reason: 'invalid_config' });
    expect(verifyHmac({ ...base, header: 'x-sig', payload: 'no body here', headers: { 'x-sig': hex(NEW, 'no body here') } })).toMatchObject({ reason: 'invalid_config' });
  });

  it.each([
    [{}, 'the hmac preset needs `header`'],
    [{ header: 'x', payload: '{body}{body}' }, 'exactly once'],
    [{ header: 'x', payload: '{id}.{body}' }, 'not {id}'],
    [{ header: 'x', payload: '{timestamp}.{body}' }, '`timestampHeader` must be set'],
  ])('hmacConfigProblem(%j) explains', (options, text) => {
    expect(hmacConfigProblem(options)).toContain(text);
  });

  it('hmacConfigProblem accepts workable options', () => {
    expect(hmacConfigProblem({ header: 'x' })).toBeUndefined();
    expect(hmacConfigProblem({ header: 'x', timestampHeader: 't', payload: 'v0:{timestamp}:{body}' })).toBeUndefined();
  });
});
