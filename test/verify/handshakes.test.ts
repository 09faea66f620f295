import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handshakeFor, type HandshakeConfig, type HandshakeInput } from '../../src/verify/handshakes.js';

const all: HandshakeConfig = { slack: true, metaVerifyTokens: ['meta-new', 'meta-old'], zoomSecret: 'zoom-secret' };
const input = (over: Partial<HandshakeInput>): HandshakeInput => ({ stage: 'after-verify', method: 'POST', query: {}, body: undefined, config: all, ...over });

describe('Meta hub.challenge (before verification)', () => {
  const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'meta-new', 'hub.challenge': '1158201444' };
  const meta = (over: Partial<HandshakeInput>) => handshakeFor(input({ stage: 'before-verify', method: 'GET', query, ...over }));

  it('answers the challenge as text/plain when the verify token matches', () => {
    expect(meta({})).toEqual({
      kind: 'meta',
      outcome: 'answered',
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }),
      body: '1158201444',
    });
  });

  it('accepts any configured token (rotation) and a qs-style nested query', () => {
    expect(meta({ query: { ...query, 'hub.verify_token': 'meta-old' } })?.status).toBe(200);
    expect(meta({ query: { hub: { mode: 'subscribe', verify_token: 'meta-new', challenge: 'abc' } } })?.body).toBe('abc');
  });

  it.each([
    ['a wrong token', { ...query, 'hub.verify_token': 'guess' }],
    ['no token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }],
    ['a repeated token parameter', { ...query, 'hub.verify_token': ['guess', 'meta-new'] }],
    ['another mode', { ...query, 'hub.mode': 'unsubscribe' }],
  ])('refuses %s with 403', (_name, q) => {
    expect(meta({ query: q })).toMatchObject({ kind: 'meta', outcome: 'wrong_verify_token', status: 403, body: { error: { code: 'forbidden' } } });
  });

  it('refuses a missing or oversized challenge with 400', () => {
    expect(meta({ query: { ...query, 'hub.challenge': undefined } })).toMatchObject({ status: 400, outcome: 'bad_handshake' });
    expect(meta({ query: { ...query, 'hub.challenge': 'x'.repeat(513) } })).toMatchObject({ status: 400 });
  });

  it('is not a handshake without hub.mode, for other methods, without a configured token, or after verification', () => {
    expect(meta({ query: { foo: 'bar' } })).toBeUndefined();
    expect(meta({ method: 'POST' })).toBeUndefined();
    expect(meta({ config: { metaVerifyTokens: [''] } })).toBeUndefined();
    expect(meta({ config: {} })).toBeUndefined();
    expect(meta({ stage: 'after-verify' })).toBeUndefined();
  });
});

describe('Slack url_verification (after verification)', () => {
  const body = { token: 'legacy', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' };

  it('answers {challenge} as JSON', () => {
    expect(handshakeFor(input({ body }))).toEqual({
      kind: 'slack',
      outcome: 'answered',
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'application/json; charset=utf-8' }),
      body: { challenge: body.challenge },
    });
  });

  it('is never answered before verification, nor when not enabled, nor for ordinary events', () => {
    expect(handshakeFor(input({ stage: 'before-verify', body }))).toBeUndefined();
    expect(handshakeFor(input({ body, config: { ...all, slack: false } }))).toBeUndefined();
    expect(handshakeFor(input({ body: { type: 'event_callback', event: {} } }))).toBeUndefined();
    expect(handshakeFor(input({ body: 'type=url_verification' }))).toBeUndefined();
    expect(handshakeFor(input({ method: 'GET', body }))).toBeUndefined();
  });

  it('refuses a url_verification without a string challenge with 400', () => {
    expect(handshakeFor(input({ body: { type: 'url_verification', challenge: 5 } }))).toMatchObject({ kind: 'slack', status: 400 });
  });
});

describe('Zoom endpoint.url_validation (after verification)', () => {
  const plainToken = 'qgg8vlvZRS6UYooatFL8Aw';
  const body = { event: 'endpoint.url_validation', payload: { plainToken }, event_ts: 1654503849680 };

  it('answers {plainToken, encryptedToken = hex HMAC-SHA256(secret, plainToken)}', () => {
    const encryptedToken = createHmac('sha256', 'zoom-secret').update(plainToken).digest('hex');
    expect(handshakeFor(input({ body }))).toEqual({
      kind: 'zoom',
      outcome: 'answered',
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'application/json; charset=utf-8' }),
      body: { plainToken, encryptedToken },
    });
  });

  it('is never answered before verification (it would sign any text for anyone), nor without a secret', () => {
    expect(handshakeFor(input({ stage: 'before-verify', body }))).toBeUndefined();
    expect(handshakeFor(input({ body, config: { slack: true } }))).toBeUndefined();
    expect(handshakeFor(input({ body: { event: 'meeting.started', payload: {} } }))).toBeUndefined();
  });

  it.each([
    ['a missing plainToken', {}],
    ['a signed-payload-shaped plainToken', { plainToken: 'v0:1700000000:{"event":"x"}' }],
    ['a form-body-shaped plainToken', { plainToken: 'amount=100' }],
    ['an oversized plainToken', { plainToken: 'a'.repeat(257) }],
  ])('refuses %s with 400', (_name, payload) => {
    expect(handshakeFor(input({ body: { event: 'endpoint.url_validation', payload } }))).toMatchObject({ kind: 'zoom', status: 400, outcome: 'bad_handshake' });
  });
});
