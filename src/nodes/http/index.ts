import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../engine/definition.js';
import { containsTemplate } from '../../engine/expressions/index.js';
import { defineNode, type Problem } from '../../engine/node-type.js';
import { PermanentFailure } from '../../shared/errors.js';
import { callHttp, parseHttpUrl } from './call-http.js';
import { OkStatus } from './ok-status.js';
import { BodyType, encodeBody, formProblem, Params, toSearchParams } from './request-body.js';

export const HttpConfig = Type.Object({
  /** Default GET. */
  method: Type.Optional(StringEnum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const)),
  url: Type.String({ minLength: 1 }),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** Appended to the URL's query; a list repeats the parameter. */
  query: Type.Optional(Params),
  /** Absent or null: no body. Sent as `bodyType` says. */
  body: Type.Optional(Type.Unknown()),
  /** `json` (default for objects, lists, numbers), `form` (urlencoded), `text` (default for strings). */
  bodyType: Type.Optional(BodyType),
  okStatus: Type.Optional(OkStatus),
});

/**
 * Calls an HTTP API through `ports.http`. Output: `{ status, headers, body }`,
 * the body decoded by its content type (see `response-body.ts`). A status
 * outside 2xx and `okStatus` fails the node; which failures the node's
 * `retry` may retry, and after how long, is `callHttp`'s to say.
 */
export const http = defineNode({
  type: 'http',
  description: 'Calls an HTTP API and outputs its status, headers and (JSON-parsed) body.',
  config: HttpConfig,
  check(fields): Problem[] {
    const problems: Problem[] = [];
    if (!containsTemplate(fields.url) && parseHttpUrl(fields.url) === undefined) {
      problems.push({ path: 'url', message: `"${fields.url}" is not an absolute http:// or https:// URL` });
    }
    const method = fields.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && fields.body !== undefined && fields.body !== null) {
      problems.push({ path: 'body', message: `a ${method} request has no body; use POST, PUT or PATCH` });
    }
    if (fields.bodyType === 'form' && fields.body !== undefined && !(typeof fields.body === 'string' && containsTemplate(fields.body))) {
      const problem = formProblem(fields.body);
      if (problem !== undefined) problems.push({ path: 'body', message: problem });
    }
    return problems;
  },
  async run({ config, ports, signal }) {
    const method = config.method ?? 'GET';
    const url = parseHttpUrl(config.url);
    if (url === undefined) throw new PermanentFailure('node_failed', `url is not an absolute http:// or https:// URL`);
    toSearchParams(config.query ?? {}, url.searchParams);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    const { body, contentType } = encodeBody(config.body, config.bodyType);
    if (contentType !== undefined) headers['content-type'] ??= contentType;
    return { output: await callHttp({ ports, signal }, { method, url, headers, body, okStatus: config.okStatus }) };
  },
});
