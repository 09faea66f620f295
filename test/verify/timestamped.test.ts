import { describe, expect, it } from 'vitest';
import { verifyHmac, verifySlack, verifyStandardWebhook, verifyStripe, type VerifyResult } from '../../src/verify/index.js';
import { at, hex, slackHeaders, standardHeaders, stripeHeaders } from './sign.js';

const T = 1_700_000_000;
const raw = Buffer.from('{"id":"evt_1","object":"event"}');
const [OLD, NEW] = ['whsec_old', 'whsec_new'];

type Scheme = {
  name: string;
  sign: (secrets: string[], ts: number) => Record<string, string>;
  verify: (input: { headers: Record<string, string>; secrets: string[]; now: Date; toleranceSec?: number; raw?: Buffer }) => VerifyResult;
  secrets: [string, string];
};

// Standard Webhooks secrets are base64 key bytes.
const SW_OLD = `whsec_${Buffer.from('old key bytes 0123456789').toString('base64')}`;
const SW_NEW = `whsec_${Buffer.from('new key bytes 9876543210').toString('base64')}`;

const schemes: Scheme[] = [
  {
    name: 'stripe',
    sign: (secrets, ts) => stripeHeaders(secrets, raw, ts),
    verify: (i) => verifyStripe({ raw, ...i }),
    secrets: [OLD, NEW],
  },
  {
    name: 'slack',
    sign: ([secret], ts) => slackHeaders(secret!, raw, ts),
    verify: (i) => verifySlack({ raw, ...i }),
    secrets: [OLD, NEW],
  },
  {
    name: 'standard-webhooks',
    sign: (secrets, ts) => standardHeaders(secrets, raw, ts),
    verify: (i) => verifyStandardWebhook({ raw, ...i }),
    secrets: [SW_OLD, SW_NEW],
  },
  {
    name: 'hmac with a timestamp (Zoom style)',
    sign: ([secret], ts) => ({ 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${hex(secret!, `v0:${ts}:`, raw)}` }),
    verify: (i) => verifyHmac({ raw, header: 'x-zm-signature', prefix: 'v0=', timestampHeader: 'x-zm-request-timestamp', payload: 'v0:{timestamp}:{body}', ...i }),
    secrets: [OLD, NEW],
  },
];

describe.each(schemes)('$name', ({ sign, verify, secrets: [oldSecret, newSecret] }) => {
  it('accepts a fresh signature', () => {
    expect(verify({ headers: sign([newSecret], T), secrets: [newSecret], now: at(T) })).toEqual({ ok: true });
  });

  it('accepts the old secret while both are active (rotation)', () => {
    expect(verify({ headers: sign([oldSecret], T), secrets: [newSecret, oldSecret], now: at(T) }).ok).toBe(true);
    expect(verify({ headers: sign([oldSecret], T), secrets: [newSecret], now: at(T) })).toMatchObject({ reason: 'no_matching_signature' });
  });

  it('accepts inside the default 300 s window, edges included, and refuses outside it both ways', () => {
    const headers = sign([newSecret], T);
    const check = (offset: number) => verify({ headers, secrets: [newSecret], now: at(T + offset) });
    expect(check(300).ok).toBe(true);
    expect(check(-300).ok).toBe(true);
    expect(check(301)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(check(-301)).toMatchObject({ ok: false, reason: 'future_timestamp' });
    expect(check(86_400)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
  });

  it('honours toleranceSec', () => {
    const headers = sign([newSecret], T);
    expect(verify({ headers, secrets: [newSecret], now: at(T + 30), toleranceSec: 30 }).ok).toBe(true);
    expect(verify({ headers, secrets: [newSecret], now: at(T + 31), toleranceSec: 30 })).toMatchObject({ reason: 'stale_timestamp' });
    expect(verify({ headers, secrets: [newSecret], now: at(T - 31), toleranceSec: 30 })).toMatchObject({ reason: 'future_timestamp' });
    expect(verify({ headers, secrets: [newSecret], now: at(T + 3000), toleranceSec: 3600 }).ok).toBe(true);
  });

  it('reports a timestamp only for a correct signature: a forged old request is a mismatch', () => {
    const headers = sign(['forger'], T);
    expect(verify({ headers, secrets: [newSecret], now: at(T + 10_000) })).toMatchObject({ reason: 'no_matching_signature' });
  });

  it('refuses a changed body and a changed timestamp', () => {
    const headers = sign([newSecret], T);
    expect(verify({ headers, secrets: [newSecret], now: at(T), raw: Buffer.from('{}') })).toMatchObject({ reason: 'no_matching_signature' });
    // Move the timestamp forward by one second without re-signing.
    const shifted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace(String(T), String(T + 1))]));
    expect(verify({ headers: shifted, secrets: [newSecret], now: at(T) })).toMatchObject({ reason: 'no_matching_signature' });
  });

  it('refuses each missing header by name, and a timestamp that is not unix seconds', () => {
    const headers = sign([newSecret], T);
    for (const name of Object.keys(headers)) {
      const { [name]: _dropped, ...rest } = headers;
      expect(verify({ headers: rest, secrets: [newSecret], now: at(T) }), name).toMatchObject({ ok: false, reason: 'missing_header' });
    }
    const iso = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace(String(T), '2023-11-14T22:13:20Z')]));
    expect(verify({ headers: iso, secrets: [newSecret], now: at(T) })).toMatchObject({ reason: 'malformed_header' });
  });

  it('refuses with missing_secret when no secret is configured', () => {
    expect(verify({ headers: sign([newSecret], T), secrets: [], now: at(T) })).toMatchObject({ reason: 'missing_secret' });
  });
});

describe('verifyStripe specifics', () => {
  const verify = (header: string, secrets = [NEW]) => verifyStripe({ raw, headers: { 'stripe-signature': header }, secrets, now: at(T) });
  const v1 = (secret: string) => hex(secret, `${T}.`, raw);

  it('accepts any of several v1 signatures (Stripe rolling its secret), in any order, with v0 beside them', () => {
    expect(verify(`t=${T},v1=${v1('other')},v1=${v1(NEW)},v0=${v1('x')}`).ok).toBe(true);
    expect(verify(`v1=${v1(NEW)},t=${T}`).ok).toBe(true);
  });

  it.each([
    ['no t', `v1=${'a'.repeat(64)}`, 'malformed_header'],
    ['two t', `t=${T},t=${T},v1=${'a'.repeat(64)}`, 'malformed_header'],
    ['garbage', 'garbage', 'malformed_header'],
    ['a base64 v1', `t=${T},v1=${Buffer.from(v1(NEW), 'hex').toString('base64')}`, 'malformed_header'],
    ['only v0', `t=${T},v0=${'a'.repeat(64)}`, 'no_matching_signature'],
  ])('refuses %s', (_name, header, reason) => {
    expect(verify(header)).toMatchObject({ ok: false, reason });
  });

  it('uses the whole whsec_ string as the key, as Stripe does', () => {
    expect(verify(`t=${T},v1=${hex(NEW.slice('whsec_'.length), `${T}.`, raw)}`)).toMatchObject({ reason: 'no_matching_signature' });
  });
});

describe('verifySlack specifics', () => {
  it('refuses a signature without the v0= prefix', () => {
    const headers = { ...slackHeaders(NEW, raw, T), 'x-slack-signature': hex(NEW, `v0:${T}:`, raw) };
    expect(verifySlack({ raw, headers, secrets: [NEW], now: at(T) })).toMatchObject({ reason: 'malformed_header' });
  });
});

describe('verifyStandardWebhook specifics', () => {
  const verify = (headers: Record<string, string>, secrets = [SW_NEW]) => verifyStandardWebhook({ raw, headers, secrets, now: at(T) });

  it('accepts a signature among several space-separated entries, skipping other versions', () => {
    const good = standardHeaders([SW_NEW], raw, T)['webhook-signature'];
    const headers = { ...standardHeaders([SW_OLD], raw, T), 'webhook-signature': `v1a,AAAA v1,${Buffer.alloc(32).toString('base64')} ${good}` };
    expect(verify(headers).ok).toBe(true);
  });

  it('accepts a secret without the whsec_ prefix', () => {
    expect(verify(standardHeaders([SW_NEW], raw, T), [SW_NEW.slice('whsec_'.length)]).ok).toBe(true);
  });

  it('signs the webhook-id: another id fails', () => {
    const headers = { ...standardHeaders([SW_NEW], raw, T), 'webhook-id': 'msg_2' };
    expect(verify(headers)).toMatchObject({ reason: 'no_matching_signature' });
  });

  it.each([
    ['an entry without a version', 'AAAA', 'malformed_header'],
    ['a hex v1', `v1,${'a'.repeat(64)}`, 'malformed_header'],
    ['no v1 entry', 'v1a,AAAA', 'no_matching_signature'],
  ])('refuses %s', (_name, signature, reason) => {
    expect(verify({ ...standardHeaders([SW_NEW], raw, T), 'webhook-signature': signature })).toMatchObject({ reason });
  });

  it('refuses with malformed_secret when the secret is not base64', () => {
    expect(verify(standardHeaders([SW_NEW], raw, T), ['whsec_not base64!'])).toMatchObject({ ok: false, reason: 'malformed_secret' });
  });
});
