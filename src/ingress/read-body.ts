import type { IncomingMessage } from 'node:http';
import { HookflowError } from '../shared/errors.js';

const EMPTY = Buffer.alloc(0);

/** Methods whose body is never read (what Fastify does too): GET, HEAD and TRACE. */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

/**
 * The request's raw bytes, at most `limit` of them. Rejects with a 413 past
 * the limit (declared or received), a 400 when fewer or more bytes arrive
 * than `Content-Length` says, and the stream's own error (ECONNRESET when
 * the client hangs up or the request timeout cuts it off) otherwise.
 *
 * Bytes are collected, not decoded: verification needs them exactly as sent.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const headers = request.headers;
  if (BODYLESS.has(request.method!)) return Promise.resolve(EMPTY);
  const declared = headers['content-length'];
  if (headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) return Promise.resolve(EMPTY);
  const expected = Number(declared);
  if (expected > limit) return Promise.reject(tooLarge(limit));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      request.removeListener('data', onData);
      request.removeListener('end', onEnd);
      request.removeListener('error', onError);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        stop();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      if (declared !== undefined && received !== expected) {
        reject(new HookflowError('bad_request', `the body is ${received} bytes but Content-Length says ${declared}`));
        return;
      }
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

function tooLarge(limit: number): HookflowError {
  return new HookflowError('payload_too_large', `the body is larger than this webhook's limit of ${limit} bytes`);
}
