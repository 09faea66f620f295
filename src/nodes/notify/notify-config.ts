import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../engine/definition.js';
import { containsTemplate } from '../../engine/expressions/index.js';
import type { Problem } from '../../engine/node-type.js';
import { parseHttpUrl } from '../http/call-http.js';
import { Params } from '../http/request-body.js';

export const CHANNELS = ['slack', 'dingtalk', 'wecom', 'sms', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** How an SMS gateway is called; `{to}` and `{text}` in `query` and `body` strings become the node's `to` and `text`. */
export const SmsProvider = Type.Object(
  {
    url: Type.String({ minLength: 1 }),
    /** Default POST. */
    method: Type.Optional(StringEnum(['POST', 'PUT', 'GET'] as const)),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    query: Type.Optional(Params),
    /** Default `json`. */
    bodyType: Type.Optional(StringEnum(['json', 'form'] as const)),
    /** Default `{ "to": "{to}", "text": "{text}" }` (none with GET). */
    body: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type SmsProvider = Static<typeof SmsProvider>;

export const NotifyConfig = Type.Object({
  channel: StringEnum(CHANNELS),
  /** The incoming-webhook URL (all channels but `sms`). */
  url: Type.Optional(Type.String({ minLength: 1 })),
  text: Type.Optional(Type.String()),
  /** DingTalk: the robot's signing secret (`SEC…`), when its security setting is "加签". */
  secret: Type.Optional(Type.String({ minLength: 1 })),
  /** SMS: the recipient's number. */
  to: Type.Optional(Type.String({ minLength: 1 })),
  /** SMS: the gateway. */
  provider: Type.Optional(SmsProvider),
  /** Webhook: any JSON body (default `{ "text": text }`). */
  body: Type.Optional(Type.Unknown()),
  /** Extra request headers (webhook, slack, dingtalk, wecom). */
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export type NotifyConfig = Static<typeof NotifyConfig>;

/** Which fields each channel needs and takes, beyond `channel`. */
const FIELDS: Record<Channel, { needs: readonly (keyof NotifyConfig)[]; takes: readonly (keyof NotifyConfig)[] }> = {
  slack: { needs: ['url', 'text'], takes: ['headers'] },
  dingtalk: { needs: ['url', 'text'], takes: ['secret', 'headers'] },
  wecom: { needs: ['url', 'text'], takes: ['headers'] },
  sms: { needs: ['provider', 'to', 'text'], takes: [] },
  webhook: { needs: ['url'], takes: ['text', 'body', 'headers'] },
};

/** Problems on the written fields; `channel` may be a template, then only URLs are checked. */
export function checkNotify(fields: NotifyConfig): Problem[] {
  const problems: Problem[] = [];
  const urlProblem = (path: string, url: string | undefined) => {
    if (url !== undefined && !containsTemplate(url) && parseHttpUrl(url) === undefined) {
      problems.push({ path, message: `"${url}" is not an absolute http:// or https:// URL` });
    }
  };
  urlProblem('url', fields.url);
  urlProblem('provider.url', fields.provider?.url);
  const spec = FIELDS[fields.channel] as (typeof FIELDS)[Channel] | undefined;
  if (spec === undefined) return problems;
  for (const field of spec.needs) {
    if (fields[field] === undefined) problems.push({ path: field, message: `a ${fields.channel} notification needs "${field}"` });
  }
  const allowed = new Set<string>(['channel', ...spec.needs, ...spec.takes]);
  // `fields` also holds the common ones (key, type, retry…): look only at this type's own.
  for (const field of Object.keys(NotifyConfig.properties)) {
    if (fields[field as keyof NotifyConfig] !== undefined && !allowed.has(field)) problems.push({ path: field, message: `"${field}" does not apply to the ${fields.channel} channel` });
  }
  if (fields.channel === 'webhook' && fields.text === undefined && fields.body === undefined) {
    problems.push({ path: 'body', message: 'a webhook notification needs "body" or "text"' });
  }
  return problems;
}
