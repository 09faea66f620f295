import type { FastifyRequest } from 'fastify';
import { isoFormatter } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import type { RequestLogEntry, RequestOutcome } from '../store/requests.js';
import type { WriteBatcher } from '../store/write-batcher.js';
import { redactHeaders } from './redact.js';

export interface RequestLogInput {
  outcome: RequestOutcome;
  status: number;
  ip: string;
  latencyMs: number;
  workflowId?: string | null;
  executionId?: string | null;
  reason?: string | null;
  bodyBytes?: number;
  /** The request's headers already flattened (`$context.headers`), to save reading them twice. */
  headers?: Record<string, string>;
}

export interface RequestLogger {
  /** Commits the entry in the same group commit as whatever else this turn writes. */
  record(request: FastifyRequest, entry: RequestLogInput): Promise<void>;
}

/** Every webhook request, refused ones too, lands here with credentials redacted. */
export function createRequestLogger(batcher: WriteBatcher, now: () => Date): RequestLogger {
  const receivedIso = isoFormatter();
  return {
    record(request, entry) {
      const row: RequestLogEntry = {
        id: newId(),
        receivedAt: receivedIso(now().getTime() - Math.round(entry.latencyMs)),
        ip: entry.ip,
        method: request.method,
        path: request.url.split('?', 1)[0]!,
        workflowId: entry.workflowId ?? null,
        executionId: entry.executionId ?? null,
        outcome: entry.outcome,
        status: entry.status,
        latencyMs: Math.round(entry.latencyMs * 1000) / 1000,
        headers: redactHeaders(entry.headers ?? request.headers),
        reason: entry.reason ?? null,
        bodyBytes: entry.bodyBytes ?? 0,
      };
      return batcher.write((set) => set.requests.push(row));
    },
  };
}
