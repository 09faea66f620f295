import { describe, expect, it } from 'vitest';
import { verifyBasic, verifyBearer, verifyGitlab } from '../../src/verify/index.js';
import { basicHeader } from './sign.js';

const raw = Buffer.from('{}');
const now = new Date('2025-01-01T00:00:00Z');

describe('verifyGitlab', () => {
  const verify = (headers: Record<string, string>, secrets = ['tok-new']) => verifyGitlab({ raw, headers, secrets, now });

  it('accepts the shared token, and either token while rotating', () => {
    expect(verify({ 'x-gitlab-token': 'tok-new' })).toEqual({ ok: true });
    expect(verify({ 'x-gitlab-token': 'tok-old' }, ['tok-new', 'tok-old']).ok).toBe(true);
  });

  it.each([
    ['missing header', {}, 'missing_header'],
    ['wrong token', { 'x-gitlab-token': 'tok-old' }, 'wrong_credentials'],
    ['a prefix of the token', { 'x-gitlab-token': 'tok-' }, 'wrong_credentials'],
    ['the token with a suffix', { 'x-gitlab-token': 'tok-new2' }, 'wrong_credentials'],
  ])('refuses %s', (_name, headers, reason) => {
    expect(verify(headers)).toMatchObject({ ok: false, reason });
  });

  it('refuses with missing_secret when none is configured', () => {
    expect(verify({ 'x-gitlab-token': '' }, [''])).toMatchObject({ reason: 'missing_secret' });
  });
});

describe('verifyBasic', () => {
  const verify = (headers: Record<string, string>, secrets = ['hook:s3cret']) => verifyBasic({ raw, headers, secrets, now });

  it('accepts user:password, any case of the scheme name, and a second pair while rotating', () => {
    expect(verify(basicHeader('hook:s3cret')).ok).toBe(true);
    expect(verify({ authorization: basicHeader('hook:s3cret').authorization.replace('Basic', 'bAsIc') }).ok).toBe(true);
    expect(verify(basicHeader('hook:old'), ['hook:s3cret', 'hook:old']).ok).toBe(true);
  });

  it('accepts a password with colons and non-ASCII characters', () => {
    expect(verify(basicHeader('hook:a:b:ü'), ['hook:a:b:ü']).ok).toBe(true);
  });

  it.each([
    ['missing header', {}, 'missing_header'],
    ['a bearer token', { authorization: 'Bearer abc' }, 'malformed_header'],
    ['bad base64', { authorization: 'Basic ***' }, 'malformed_header'],
    ['no credentials', { authorization: 'Basic' }, 'malformed_header'],
    ['wrong password', basicHeader('hook:guess'), 'wrong_credentials'],
    ['wrong user', basicHeader('admin:s3cret'), 'wrong_credentials'],
  ])('refuses %s', (_name, headers, reason) => {
    expect(verify(headers as Record<string, string>)).toMatchObject({ ok: false, reason });
  });
});

describe('verifyBearer', () => {
  const verify = (headers: Record<string, string>, header?: string, secrets = ['t0ken']) => verifyBearer({ raw, headers, secrets, now, header });

  it('accepts Authorization: Bearer <token>, any case of the scheme name', () => {
    expect(verify({ authorization: 'Bearer t0ken' }).ok).toBe(true);
    expect(verify({ authorization: 'bearer t0ken' }).ok).toBe(true);
    expect(verify({ authorization: 'Bearer old' }, undefined, ['t0ken', 'old']).ok).toBe(true);
  });

  it('reads a custom header whole, and keeps the Bearer scheme when the header is Authorization', () => {
    expect(verify({ 'x-api-key': 't0ken' }, 'X-Api-Key').ok).toBe(true);
    expect(verify({ authorization: 'Bearer t0ken' }, 'Authorization').ok).toBe(true);
    expect(verify({ authorization: 't0ken' }, 'authorization')).toMatchObject({ reason: 'malformed_header' });
  });

  it.each([
    ['missing header', {}, 'missing_header'],
    ['basic credentials', basicHeader('a:b'), 'malformed_header'],
    ['token without scheme', { authorization: 't0ken' }, 'malformed_header'],
    ['wrong token', { authorization: 'Bearer t0ke' }, 'wrong_credentials'],
  ])('refuses %s', (_name, headers, reason) => {
    expect(verify(headers as Record<string, string>)).toMatchObject({ ok: false, reason });
  });
});

describe('header lookup', () => {
  it('finds only headers that were sent, never Object.prototype members', () => {
    expect(verifyBearer({ raw, headers: {}, secrets: ['x'], now, header: 'constructor' })).toMatchObject({ reason: 'missing_header' });
    expect(verifyBearer({ raw, headers: {}, secrets: ['x'], now, header: '__proto__' })).toMatchObject({ reason: 'missing_header' });
  });
});
