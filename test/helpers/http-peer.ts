/**
 * A real HTTP server on 127.0.0.1, port 0, that records every request and
 * answers as the test scripts it: the peer for http and notify node tests.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  /** Decoded query parameters; a repeated name keeps its last value (use `search` for all). */
  query: Record<string, string>;
  search: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A reply, or `'drop'` to close the connection without answering (a network error). */
export type PeerReply = { status?: number; headers?: Record<string, string>; body?: string | Uint8Array } | 'drop';

export interface HttpPeer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startHttpPeer(reply: (req: SeenRequest, n: number) => PeerReply = () => ({})): Promise<HttpPeer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://peer');
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        search: url.search,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const answer = reply(seen, requests.length);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status ?? 200, answer.headers ?? {}).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `{ status: 200, JSON }` as a peer reply. */
export function jsonReply(body: unknown, status = 200, headers: Record<string, string> = {}): PeerReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
