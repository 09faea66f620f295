import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../engine/definition.js';
import { containsTemplate } from '../../engine/expressions/index.js';
import { defineNode, type Problem } from '../../engine/node-type.js';
import type { HttpPortResponse } from '../../engine/ports.js';
import { HookflowError, PermanentFailure } from '../../shared/errors.js';
import { isOkStatus, OkStatus } from './ok-status.js';

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const HttpConfig = Type.Object({
  /** Default GET. */
  method: Type.Optional(StringEnum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const)),
  url: Type.String({ minLength: 1 }),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** Appended to the URL's query; a list repeats the parameter. */
  query: Type.Optional(
    Type.Record(Type.String(), Type.Union([Scalar, Type.Array(Scalar)]), {
      hint: 'must map names to text, numbers, true/false, or lists of them',
    }),
  ),
  /** Object or array: JSON. String: text. Absent or null: no body. */
  body: Type.Optional(Type.Unknown()),
  okStatus: Type.Optional(OkStatus),
});

/**
 * Calls an HTTP API through `ports.http`. Output: `{ status, headers, body }`,
 * the body parsed when the response says JSON. A status outside 2xx and
 * `okStatus` fails the node (4xx other than 408 and 429 without retrying).
 */
export const http = defineNode({
  type: 'http',
  description: 'Calls an HTTP API and outputs its status, headers and (JSON-parsed) body.',
  config: HttpConfig,
  check(fields): Problem[] {
    const problems: Problem[] = [];
    if (!containsTemplate(fields.url) && parseUrl(fields.url) === undefined) {
      problems.push({ path: 'url', message: `"${fields.url}" is not an absolute http:// or https:// URL` });
    }
    const method = fields.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && fields.body !== undefined && fields.body !== null) {
      problems.push({ path: 'body', message: `a ${method} request has no body; use POST, PUT or PATCH` });
    }
    return problems;
  },
  async run({ config, ports, signal }) {
    const method = config.method ?? 'GET';
    const url = parseUrl(config.url);
    if (url === undefined) throw new PermanentFailure('node_failed', `url is not an absolute http:// or https:// URL`);
    for (const [name, value] of Object.entries(config.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: string | undefined;
    if (config.body !== undefined && config.body !== null) {
      const text = typeof config.body === 'string';
      body = text ? (config.body as string) : JSON.stringify(config.body);
      headers['content-type'] ??= text ? 'text/plain; charset=utf-8' : 'application/json';
    }
    // Never the query string in messages: it often carries tokens.
    const target = `${method} ${url.origin}${url.pathname}`;
    let res: HttpPortResponse;
    try {
      res = await ports.http.request({ method, url: url.toString(), headers, body, signal });
    } catch (cause) {
      throw new HookflowError('node_failed', `${target} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    const output = { status: res.status, headers: res.headers, body: decodeBody(res, target) };
    if (!isOkStatus(res.status, config.okStatus)) {
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      const Failure = retryable ? HookflowError : PermanentFailure;
      throw new Failure('node_failed', `${target} answered ${res.status}`, { details: { status: res.status, body: excerpt(output.body) } });
    }
    return { output };
  },
});

/** Error details are stored with the job and shown in the UI: keep at most ~2 KB of the body. */
const EXCERPT_CHARS = 2_000;

function excerpt(body: unknown): unknown {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (text.length <= EXCERPT_CHARS) return body;
  return `${text.slice(0, EXCERPT_CHARS)}… (${text.length} characters)`;
}

function parseUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** JSON (`application/json`, `…+json`) parsed; anything else as UTF-8 text; empty: null. */
function decodeBody(res: HttpPortResponse, target: string): unknown {
  if (res.body.length === 0) return null;
  const text = Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength).toString('utf8');
  if (!/[/+]json\b/i.test(res.headers['content-type'] ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HookflowError('node_failed', `${target} answered ${res.status} with a body that says JSON but does not parse`);
  }
}
