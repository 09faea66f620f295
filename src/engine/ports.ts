/**
 * The ports the engine hands to nodes: the only way a node reaches the clock,
 * the network, timers (and, as node types are added, records, mail, the
 * sandbox). `EnginePorts` is an interface on purpose: a module adding a port
 * extends it by declaration merging,
 *
 * @example
 * declare module '../engine/ports.js' {
 *   interface EnginePorts { records: RecordsPort }
 * }
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface HttpPortRequest {
  method: string;
  /** Absolute http(s) URL, query included. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the request (node timeout, shutdown). */
  signal?: AbortSignal;
}

export interface HttpPortResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface HttpPort {
  /** Resolves for every HTTP status; rejects on network errors, aborts and oversize bodies. */
  request(request: HttpPortRequest): Promise<HttpPortResponse>;
}

export interface EnginePorts {
  clock: Clock;
  logger: Logger;
  http: HttpPort;
  /** Waits `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real `EnginePorts.sleep`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
