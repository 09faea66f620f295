import { PermanentFailure } from '../../shared/errors.js';
import { parseHttpUrl } from '../http/call-http.js';
import { encodeBody, toSearchParams } from '../http/request-body.js';
import { signDingtalkUrl } from './dingtalk-sign.js';
import type { NotifyConfig, SmsProvider } from './notify-config.js';

export interface ChannelRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
  /**
   * How messages name the call: the channel and host only. Incoming-webhook
   * URLs carry their secret in the path (Slack) or query (DingTalk, WeCom).
   */
  target: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The HTTP request that delivers `config` (already checked) on its channel. */
export function channelRequest(config: NotifyConfig, now: Date): ChannelRequest {
  const text = config.text ?? '';
  switch (config.channel) {
    case 'slack':
      return json(config, 'slack webhook', { text });
    case 'dingtalk': {
      const request = json(config, 'dingtalk robot', { msgtype: 'text', text: { content: text } });
      if (config.secret !== undefined) request.url = signDingtalkUrl(request.url, config.secret, now);
      return request;
    }
    case 'wecom':
      // WeCom group robots have no signing: the `key` in the URL is the credential.
      return json(config, 'wecom robot', { msgtype: 'text', text: { content: text } });
    case 'webhook':
      return json(config, 'webhook', config.body !== undefined ? config.body : { text });
    case 'sms':
      return smsRequest(config.provider as SmsProvider, { to: config.to ?? '', text });
  }
}

function json(config: NotifyConfig, label: string, payload: unknown): ChannelRequest {
  const url = httpUrl(config.url, 'url');
  const headers = lowerCased(config.headers);
  headers['content-type'] ??= JSON_TYPE;
  return { method: 'POST', url, headers, body: JSON.stringify(payload), target: `${label} (${url.host})` };
}

/**
 * A generic SMS gateway: `{to}` and `{text}` inside any string of
 * `provider.query` and `provider.body` are replaced by the node's values
 * (after templates ran, so a `{{ }}` in the text is never evaluated again).
 */
function smsRequest(provider: SmsProvider, values: { to: string; text: string }): ChannelRequest {
  const method = provider.method ?? 'POST';
  const url = httpUrl(provider.url, 'provider.url');
  if (provider.query !== undefined) toSearchParams(fill(provider.query, values) as typeof provider.query, url.searchParams);
  const headers = lowerCased(provider.headers);
  let body: string | undefined;
  if (method !== 'GET') {
    const payload = fill(provider.body ?? { to: '{to}', text: '{text}' }, values);
    const encoded = encodeBody(payload, provider.bodyType ?? 'json');
    body = encoded.body;
    if (encoded.contentType !== undefined) headers['content-type'] ??= encoded.contentType;
  }
  return { method, url, headers, body, target: `sms provider (${url.host})` };
}

function fill(value: unknown, values: { to: string; text: string }): unknown {
  if (typeof value === 'string') return value.replace(/\{(to|text)\}/g, (_, name: 'to' | 'text') => values[name]);
  if (Array.isArray(value)) return value.map((item) => fill(item, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
  }
  return value;
}

function httpUrl(text: string | undefined, field: string): URL {
  const url = text === undefined ? undefined : parseHttpUrl(text);
  if (url === undefined) throw new PermanentFailure('node_failed', `${field} is not an absolute http:// or https:// URL`);
  return url;
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}
