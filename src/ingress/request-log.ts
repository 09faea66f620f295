import type { IncomingHttpHeaders } from 'node:http';
import { isoFormatter } from '../shared/clock.js';
import type { RequestLogEntry, RequestOutcome } from '../store/requests.js';
import type { WriteBatcher } from '../store/write-batcher.js';
import { redactHeaders } from './redact.js';

export interface RequestLogInput {
  /** The entry's id, chosen by the caller so the execution can name its request. */
  id: string;
  method: string;
  /** Without the query string. */
  path: string;
  /** As received, or already flattened (`$context.headers`); the log redacts its own copy. */
  headers: IncomingHttpHeaders;
  outcome: RequestOutcome;
  status: number;
  ip: string;
  latencyMs: number;
  workflowId?: string | null;
  executionId?: string | null;
  reason?: string | null;
  bodyBytes?: number;
}

export interface RequestLogger {
  /** Commits the entry in the same group commit as whatever else this turn writes. */
  record(entry: RequestLogInput): Promise<void>;
}

/** Every webhook request, refused ones too, lands here with credentials redacted. */
export function createRequestLogger(batcher: WriteBatcher, now: () => Date): RequestLogger {
  const receivedIso = isoFormatter();
  return {
    record(entry) {
      const row: RequestLogEntry = {
        id: entry.id,
        receivedAt: receivedIso(now().getTime() - Math.round(entry.latencyMs)),
        ip: entry.ip,
        method: entry.method,
        path: entry.path,
        workflowId: entry.workflowId ?? null,
        executionId: entry.executionId ?? null,
        outcome: entry.outcome,
        status: entry.status,
        latencyMs: Math.round(entry.latencyMs * 1000) / 1000,
        headers: redactHeaders(entry.headers),
        reason: entry.reason ?? null,
        bodyBytes: entry.bodyBytes ?? 0,
      };
      return batcher.write((set) => set.requests.push(row));
    },
  };
}
