import type { ServerResponse } from 'node:http';

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const BYTES_TYPE = 'application/octet-stream';

/**
 * Writes a webhook answer. The body's type picks the encoding unless the
 * headers name a Content-Type: bytes as they are, strings as text, anything
 * else as JSON (also under a JSON media type such as `application/hal+json`,
 * which gets `charset=utf-8` when it names none). Header names and values are
 * the caller's to validate (webhook-handler.ts refuses bad ones first).
 */
export function writeReply(response: ServerResponse, status: number, headers: ReadonlyArray<readonly [string, string]>, body: unknown, closeConnection = false): void {
  let type: string | undefined;
  for (const [name, value] of headers) {
    if (name.length === 12 && name.toLowerCase() === 'content-type') type = value;
    else response.setHeader(name, value);
  }
  let payload: string | Uint8Array | undefined;
  if (body === null || body === undefined) {
    payload = undefined;
  } else if (body instanceof Uint8Array) {
    payload = body;
    type ??= BYTES_TYPE;
  } else if (typeof body === 'string' && type === undefined) {
    payload = body;
    type = TEXT_TYPE;
  } else {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    if (type === undefined) type = JSON_TYPE;
    else if (type.includes('json') && !/;\s*charset=/i.test(type)) type = `${type.trimEnd().replace(/;$/, '')}; charset=utf-8`;
  }
  if (type !== undefined) response.setHeader('content-type', type);
  response.setHeader('content-length', payload === undefined ? 0 : typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength);
  if (closeConnection) response.setHeader('connection', 'close');
  response.statusCode = status;
  response.end(payload);
}
