import { Agent, request, type Dispatcher } from 'undici';
import type { AddressPolicy } from './address-policy.js';
import { createGuardedConnector } from './guarded-connector.js';
import type { HttpPort, HttpPortRequest, HttpPortResponse } from './ports.js';

export interface HttpPortOptions {
  /** Responses larger than this reject (default 10 MiB): a node's output lives in memory and in the job record. */
  maxResponseBytes?: number;
  /** Upper bound on waiting for headers and between body chunks (default 30 s), for nodes without `timeoutMs`. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /**
   * Outbound address policy, checked on the address each connection is made
   * to (see `guarded-connector.ts`). Not with `dispatcher`: a dispatcher of
   * the caller's would bypass it.
   */
  policy?: AddressPolicy;
}

/** The real {@link HttpPort}, over undici's `request`. */
export function createHttpPort(options: HttpPortOptions = {}): HttpPort {
  const maxBytes = options.maxResponseBytes ?? 10 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (options.policy?.active && options.dispatcher !== undefined) throw new Error('createHttpPort: pass either policy or dispatcher');
  // Redirects are not followed (undici's `request` returns the 3xx as is), so
  // every connection goes to the URL's own host, through this dispatcher.
  const dispatcher = options.policy?.active ? new Agent({ connect: createGuardedConnector(options.policy) }) : options.dispatcher;
  return {
    async request(req: HttpPortRequest): Promise<HttpPortResponse> {
      const res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        dispatcher,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          res.body.destroy();
          throw new Error(`response body is larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return { status: res.statusCode, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks) };
    },
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
