import { createHmac } from 'node:crypto';

/**
 * DingTalk custom-robot signing ("加签"): `sign` = base64(HMAC-SHA256(key =
 * secret, data = `${timestamp}\n${secret}`)), `timestamp` in milliseconds,
 * both added to the webhook URL's query. DingTalk refuses a timestamp more
 * than an hour from its clock (errcode 310000). `URLSearchParams` does the
 * URL-encoding DingTalk asks for (`+` → `%2B`, `/` → `%2F`, `=` → `%3D`).
 */
export function signDingtalkUrl(url: URL, secret: string, now: Date): URL {
  const timestamp = String(now.getTime());
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const signed = new URL(url);
  signed.searchParams.set('timestamp', timestamp);
  signed.searchParams.set('sign', sign);
  return signed;
}
