import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/secrets/redact.js';

describe('redactSecrets', () => {
  const secrets = ['s3cr3t-token', 'hunter2!'];

  it('replaces every occurrence inside nested objects and arrays', () => {
    const input = {
      url: 'https://api.example.com/?token=s3cr3t-token&again=s3cr3t-token',
      headers: { authorization: 'Bearer s3cr3t-token', accept: 'application/json' },
      list: ['hunter2!', 'plain', { deep: ['x hunter2! y', 42, null, true] }],
      count: 3,
    };
    expect(redactSecrets(input, secrets)).toEqual({
      url: 'https://api.example.com/?token=[secret]&again=[secret]',
      headers: { authorization: 'Bearer [secret]', accept: 'application/json' },
      list: ['[secret]', 'plain', { deep: ['x [secret] y', 42, null, true] }],
      count: 3,
    });
    // The input is left as it was.
    expect(input.headers.authorization).toBe('Bearer s3cr3t-token');
    expect((input.list[2] as { deep: unknown[] }).deep[0]).toBe('x hunter2! y');
  });

  it('handles top-level strings, object keys and JSON-serialized secrets', () => {
    expect(redactSecrets('s3cr3t-token', secrets)).toBe('[secret]');
    expect(redactSecrets({ 'hunter2!': 1 }, secrets)).toEqual({ '[secret]': 1 });
    expect(redactSecrets(JSON.stringify({ password: 'hunter2!' }), secrets)).toBe('{"password":"[secret]"}');
  });

  it('returns the same references when nothing matches, and shares untouched subtrees', () => {
    const untouched = { a: ['x', { b: 'y' }], n: 1 };
    expect(redactSecrets(untouched, secrets)).toBe(untouched);
    expect(redactSecrets(untouched, [])).toBe(untouched);
    const input = { hit: 'hunter2!', miss: { deep: ['z'] } };
    const result = redactSecrets(input, secrets) as typeof input;
    expect(result).not.toBe(input);
    expect(result.miss).toBe(input.miss);
  });

  it('ignores secrets shorter than 4 characters', () => {
    expect(redactSecrets({ id: 'abc', ok: 'ok' }, ['abc', 'ok', ''])).toEqual({ id: 'abc', ok: 'ok' });
    expect(redactSecrets('abcd', ['abcd'])).toBe('[secret]');
  });

  it('replaces the longer of overlapping secrets whole, and escapes pattern characters', () => {
    expect(redactSecrets('key=abcd-efgh', ['abcd', 'abcd-efgh'])).toBe('key=[secret]');
    expect(redactSecrets('a.*b(c)[d]$^|\\ and aXXb', ['a.*b(c)[d]$^|\\'])).toBe('[secret] and aXXb');
  });

  it('keeps a __proto__ key as a plain key and passes non-plain objects through', () => {
    const parsed = JSON.parse('{"__proto__": {"x": "hunter2!"}, "y": "hunter2!"}') as Record<string, unknown>;
    const result = redactSecrets(parsed, secrets) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__', 'y']);
    expect(JSON.stringify(result)).toBe('{"__proto__":{"x":"[secret]"},"y":"[secret]"}');
    const date = new Date(0);
    expect(redactSecrets({ date }, secrets)).toEqual({ date });
  });

  it('picks up a changed list of secrets', () => {
    expect(redactSecrets('one-secret two-secret', ['one-secret'])).toBe('[secret] two-secret');
    expect(redactSecrets('one-secret two-secret', ['two-secret'])).toBe('one-secret [secret]');
  });
});
