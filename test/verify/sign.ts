/**
 * Signs bodies the way each provider does, independently of src/verify (plain
 * node:crypto, written from the providers' docs), so tests check the verifiers
 * against the senders rather than against themselves.
 */
import { createHmac } from 'node:crypto';

export const hex = (key: string | Buffer, ...parts: (string | Buffer)[]) => mac('sha256', key, parts).toString('hex');
export const b64 = (key: string | Buffer, ...parts: (string | Buffer)[]) => mac('sha256', key, parts).toString('base64');

export function mac(algorithm: string, key: string | Buffer, parts: (string | Buffer)[]): Buffer {
  const h = createHmac(algorithm, key);
  for (const part of parts) h.update(part);
  return h.digest();
}

export const githubHeaders = (secret: string, body: Buffer | string) => ({ 'x-hub-signature-256': `sha256=${hex(secret, body)}` });

export const shopifyHeaders = (secret: string, body: Buffer | string) => ({ 'x-shopify-hmac-sha256': b64(secret, body) });

export const slackHeaders = (secret: string, body: Buffer | string, ts: number) => ({
  'x-slack-request-timestamp': String(ts),
  'x-slack-signature': `v0=${hex(secret, `v0:${ts}:`, body)}`,
});

export const stripeHeaders = (secrets: string[], body: Buffer | string, ts: number) => ({
  'stripe-signature': [`t=${ts}`, ...secrets.map((secret) => `v1=${hex(secret, `${ts}.`, body)}`)].join(','),
});

export function standardHeaders(secrets: string[], body: Buffer | string, ts: number, id = 'msg_1') {
  const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': secrets.map((secret) => `v1,${b64(keyOf(secret), `${id}.${ts}.`, body)}`).join(' '),
  };
}

export const basicHeader = (userPass: string) => ({ authorization: `Basic ${Buffer.from(userPass).toString('base64')}` });

/** A Date at unix second `sec`. */
export const at = (sec: number) => new Date(sec * 1000);
