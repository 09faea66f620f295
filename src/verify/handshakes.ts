/**
 * Provider handshakes: requests a provider sends to prove that a URL is
 * really ours, answered by Hookflow itself without a workflow run. Pure: the
 * ingress passes in what it received and sends back what it gets.
 *
 * Each handshake belongs to one stage of the ingress, and the stage is a
 * required argument so that no caller can answer one in the wrong place:
 *
 * - `before-verify` — Meta (Facebook, Instagram, WhatsApp) subscription check,
 *   `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`. Meta does
 *   not sign this GET; the verify token is its credential, so it is answered
 *   before signature verification (which would refuse it for want of a
 *   signature), from the query alone.
 * - `after-verify` — Slack `url_verification` and Zoom
 *   `endpoint.url_validation`, POSTs that the provider signs like every
 *   delivery. They are answered only after the signature verified (when the
 *   workflow has `verify`) and the body was parsed. For Zoom this order is a
 *   MUST: the answer is an HMAC of a caller-chosen text under the secret, so
 *   answering unverified requests would sign anything for anyone.
 */
import { hmac, anyTokenMatches } from './crypto.js';

export type HandshakeStage = 'before-verify' | 'after-verify';
export type HandshakeKind = 'slack' | 'meta' | 'zoom';

/** Which handshakes a workflow answers; each is off unless configured. */
export interface HandshakeConfig {
  /** Answer Slack's `url_verification`. */
  readonly slack?: boolean;
  /** Meta's `hub.verify_token`: the accepted values (several during a rotation). */
  readonly metaVerifyTokens?: readonly string[];
  /** Zoom's app secret token: `encryptedToken` is an HMAC-SHA256 under it. */
  readonly zoomSecret?: string;
}

export interface HandshakeInput {
  readonly stage: HandshakeStage;
  /** Upper case, as the ingress routes it. */
  readonly method: string;
  /** Parsed query: Node's parser gives `hub.mode` as a flat key; `qs`-style nesting (`{ hub: { mode } }`) is read too. */
  readonly query: Readonly<Record<string, unknown>>;
  /** The parsed body (`$context.data`); ignored before verification. */
  readonly body: unknown;
  readonly config: HandshakeConfig;
}

export interface HandshakeReply {
  readonly kind: HandshakeKind;
  /** `answered`, or why the handshake was refused, for the request log. */
  readonly outcome: 'answered' | 'wrong_verify_token' | 'bad_handshake';
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A string is sent as is (with its content type); an object as JSON. */
  readonly body: string | Readonly<Record<string, unknown>>;
}

/**
 * The reply to a provider handshake, or undefined when the request is not
 * one this workflow answers at this stage (it then goes on as a delivery).
 *
 * @example
 * // GET /api/webhooks/<key>?hub.mode=subscribe&hub.verify_token=t0k&hub.challenge=1158201444
 * handshakeFor({ stage: 'before-verify', method: 'GET', query, body: undefined, config: { metaVerifyTokens: ['t0k'] } })
 * // → { kind: 'meta', outcome: 'answered', status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', … }, body: '1158201444' }
 */
export function handshakeFor(input: HandshakeInput): HandshakeReply | undefined {
  if (input.stage === 'before-verify') return metaChallenge(input);
  return slackUrlVerification(input) ?? zoomUrlValidation(input);
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
// Meta's challenges are integers; Slack's and Zoom's short random tokens. A
// bound keeps an echo endpoint from becoming a reflector for arbitrary content.
const MAX_CHALLENGE = 512;

function metaChallenge({ method, query, config }: HandshakeInput): HandshakeReply | undefined {
  const tokens = (config.metaVerifyTokens ?? []).filter((token) => token !== '');
  if (method !== 'GET' || tokens.length === 0) return undefined;
  const mode = queryValue(query, 'mode');
  if (mode === undefined) return undefined;
  const token = queryValue(query, 'verify_token');
  if (mode !== 'subscribe' || token === undefined || !anyTokenMatches(token, tokens)) {
    return refusal('meta', 'wrong_verify_token', 403, 'forbidden', 'hub.verify_token does not match');
  }
  const challenge = queryValue(query, 'challenge');
  if (challenge === undefined || challenge === '' || challenge.length > MAX_CHALLENGE) {
    return refusal('meta', 'bad_handshake', 400, 'bad_request', 'hub.challenge is missing or too long');
  }
  return { kind: 'meta', outcome: 'answered', status: 200, headers: TEXT, body: challenge };
}

function slackUrlVerification({ method, body, config }: HandshakeInput): HandshakeReply | undefined {
  if (config.slack !== true || method !== 'POST' || !isObject(body) || body.type !== 'url_verification') return undefined;
  const challenge = body.challenge;
  if (typeof challenge !== 'string' || challenge === '' || challenge.length > MAX_CHALLENGE) {
    return refusal('slack', 'bad_handshake', 400, 'bad_request', 'url_verification needs a string "challenge"');
  }
  return { kind: 'slack', outcome: 'answered', status: 200, headers: JSON_TYPE, body: { challenge } };
}

// Zoom's plainToken is random base64 text ("qgg8vlvZRS6UYooatFL8Aw" in its
// docs). Refusing ":", "." and an inner "=" keeps the answer from being a
// valid signature over a Zoom request payload ("v0:<timestamp>:<body>"), a
// `{timestamp}.{body}` template or a form body, even on a workflow that left
// `verify` out. Defence in depth only: verifying first is what protects.
const PLAIN_TOKEN = /^[A-Za-z0-9_\-+/]{1,256}={0,2}$/;

function zoomUrlValidation({ method, body, config }: HandshakeInput): HandshakeReply | undefined {
  const secret = config.zoomSecret;
  if (secret === undefined || secret === '' || method !== 'POST' || !isObject(body) || body.event !== 'endpoint.url_validation') return undefined;
  const plainToken = isObject(body.payload) ? body.payload.plainToken : undefined;
  if (typeof plainToken !== 'string' || !PLAIN_TOKEN.test(plainToken)) {
    return refusal('zoom', 'bad_handshake', 400, 'bad_request', 'endpoint.url_validation needs a payload.plainToken of base64 text');
  }
  const encryptedToken = hmac('sha256', secret, plainToken).toString('hex');
  return { kind: 'zoom', outcome: 'answered', status: 200, headers: JSON_TYPE, body: { plainToken, encryptedToken } };
}

function refusal(kind: HandshakeKind, outcome: HandshakeReply['outcome'], status: number, code: string, message: string): HandshakeReply {
  return { kind, outcome, status, headers: JSON_TYPE, body: { error: { code, message } } };
}

/** `hub.<name>` from a flat or nested query; undefined unless it is one string (a repeated parameter is not). */
function queryValue(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const hub = query.hub;
  const value = query[`hub.${name}`] ?? (isObject(hub) ? hub[name] : undefined);
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
