import { describe, expect, it } from 'vitest';
import { flattenHeaders, isCredentialHeader, redactHeaders } from '../../src/ingress/redact.js';

describe('redactHeaders', () => {
  it('replaces credentials and keeps signatures', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer abc',
        'proxy-authorization': 'Basic xyz',
        cookie: 'sid=1',
        'x-api-key': 'k',
        'x-gitlab-token': 'shared-secret',
        'x-auth-token': 't',
        'x-webhook-secret': 's',
        'x-password': 'p',
        'x-apikey': 'k',
        'x-hub-signature-256': 'sha256=abc',
        'stripe-signature': 't=1,v1=abc',
        'content-type': 'application/json',
      }),
    ).toEqual({
      authorization: '[redacted]',
      'proxy-authorization': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'x-gitlab-token': '[redacted]',
      'x-auth-token': '[redacted]',
      'x-webhook-secret': '[redacted]',
      'x-password': '[redacted]',
      'x-apikey': '[redacted]',
      'x-hub-signature-256': 'sha256=abc',
      'stripe-signature': 't=1,v1=abc',
      'content-type': 'application/json',
    });
  });

  it('lower-cases names, joins arrays and merges duplicates, still redacted', () => {
    expect(
      redactHeaders({ 'X-Tag': ['a', 'b'], 'x-tag': 'c', 'Set-Cookie': ['a=1', 'b=2'], 'X-API-KEY': 'k', 'x-api-key': 'k2' }),
    ).toEqual({ 'x-tag': 'a, b, c', 'set-cookie': '[redacted]', 'x-api-key': '[redacted]' });
  });

  it('skips undefined values', () => {
    expect(redactHeaders({ host: 'h', 'content-length': undefined })).toEqual({ host: 'h' });
  });
});

describe('isCredentialHeader', () => {
  it.each([
    ['Authorization', true],
    ['x-amz-security-token', true],
    ['private-token', true],
    ['x-api_key', true],
    ['x-client-secret', true],
    ['x-hub-signature', false],
    ['x-github-delivery', false],
    ['x-shopify-hmac-sha256', false],
    ['webhook-signature', false],
  ])('%s → %s', (name, expected) => {
    expect(isCredentialHeader(name)).toBe(expected);
  });
});

describe('flattenHeaders', () => {
  it('keeps credentials, lower-cases names and joins repeated values', () => {
    expect(flattenHeaders({ Authorization: 'Bearer abc', 'X-Tag': ['a', 'b'], host: 'h' })).toEqual({
      authorization: 'Bearer abc',
      'x-tag': 'a, b',
      host: 'h',
    });
  });

  it('keeps a header named __proto__ as data', () => {
    const headers = JSON.parse('{"__proto__": "x", "a": "1"}') as Record<string, string>;
    const flat = flattenHeaders(headers);
    expect(Object.hasOwn(flat, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
  });
});
