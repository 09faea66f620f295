/**
 * HTTP/1.1 over a bare `node:net` socket to 127.0.0.1, for requests `fetch`
 * refuses to send: invalid UTF-8, duplicate headers, a body shorter than its
 * Content-Length. Every call is bounded in time: it resolves with what arrived
 * when the answer is complete, the server closes, or `timeoutMs` passes.
 */
import net from 'node:net';

export interface RawAnswer {
  /** Every byte the server sent, as sent. */
  bytes: Buffer;
  /** 0 when no status line arrived. */
  status: number;
  /** Header lines in order, names lower-cased, repeats kept. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** Why the read ended. */
  end: 'complete' | 'closed' | 'timeout';
  elapsedMs: number;
}

export interface RawRequest {
  method?: string;
  path: string;
  /** In order; a name may repeat. `host` and `connection: close` are added. */
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  /** Default: the body's length. Set it higher to promise bytes that never come. */
  contentLength?: number | null;
  timeoutMs?: number;
  /** Half-close the connection right after writing: a sender that hangs up mid-body. */
  hangUp?: boolean;
}

/** The server's base URL (`http://127.0.0.1:port`) and one request, written byte for byte. */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const { port, hostname } = new URL(baseUrl);
  if (hostname !== '127.0.0.1') throw new Error(`raw requests go to loopback only, not ${hostname}`);
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0));
  const contentLength = request.contentLength === undefined ? body.length : request.contentLength;
  const lines = [`${request.method ?? 'POST'} ${request.path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close'];
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  if (contentLength !== null) lines.push(`content-length: ${contentLength}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return exchange(Number(port), Buffer.concat([head, body]), request.timeoutMs ?? 10_000, request.hangUp ?? false);
}

function exchange(port: number, out: Buffer, timeoutMs: number, hangUp: boolean): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect({ port, host: '127.0.0.1' });
    const finish = (end: RawAnswer['end']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parse(Buffer.concat(chunks)), end, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => (hangUp ? socket.end(out) : socket.write(out)));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks))) finish('complete');
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
  });
}

function headEnd(bytes: Buffer): number {
  return bytes.indexOf('\r\n\r\n');
}

function isComplete(bytes: Buffer): boolean {
  const end = headEnd(bytes);
  if (end === -1) return false;
  const length = parse(bytes).headers.find(([name]) => name === 'content-length')?.[1];
  // Without a length (chunked), `connection: close` makes the server's close the end.
  return length !== undefined && bytes.length - (end + 4) >= Number(length);
}

function parse(bytes: Buffer): Pick<RawAnswer, 'bytes' | 'status' | 'headers' | 'body'> {
  const end = headEnd(bytes);
  if (end === -1) return { bytes, status: 0, headers: [], body: Buffer.alloc(0) };
  const [statusLine = '', ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  return { bytes, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: bytes.subarray(end + 4) };
}

export function headerValues(answer: RawAnswer, name: string): string[] {
  return answer.headers.filter(([n]) => n === name).map(([, value]) => value);
}

export function jsonOf(answer: RawAnswer): any {
  return JSON.parse(answer.body.toString('utf8'));
}
