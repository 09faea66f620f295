import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { chunks } from './chunks.js';

/** Why a request ended as it did; stored as text, listed in docs/api.md. */
export type RequestOutcome =
  | 'accepted'
  | 'duplicate'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'error';

export interface RequestLogEntry {
  id: string;
  receivedAt: string;
  ip: string;
  method: string;
  path: string;
  workflowId: string | null;
  executionId: string | null;
  outcome: RequestOutcome;
  status: number;
  latencyMs: number;
  headers: Record<string, string>;
  reason: string | null;
  bodyBytes: number;
}

export async function insertRequests(db: Kysely<Database>, entries: readonly RequestLogEntry[]): Promise<void> {
  for (const chunk of chunks(entries, 500)) await insertRequestChunk(db, chunk);
}

async function insertRequestChunk(db: Kysely<Database>, entries: readonly RequestLogEntry[]): Promise<void> {
  await db
    .insertInto('requests')
    .values(
      entries.map((entry) => ({
        id: entry.id,
        received_at: entry.receivedAt,
        ip: entry.ip,
        method: entry.method,
        path: entry.path,
        workflow_id: entry.workflowId,
        execution_id: entry.executionId,
        outcome: entry.outcome,
        status: entry.status,
        latency_ms: entry.latencyMs,
        headers: JSON.stringify(entry.headers),
        reason: entry.reason,
        body_bytes: entry.bodyBytes,
      })),
    )
    .execute();
}

export interface RequestFilter {
  workflowId?: string;
  outcome?: RequestOutcome;
  limit: number;
  cursor?: string;
}

export async function listRequests(
  db: Kysely<Database>,
  filter: RequestFilter,
): Promise<{ items: RequestLogEntry[]; nextCursor: string | null }> {
  let query = db.selectFrom('requests').selectAll();
  if (filter.workflowId) query = query.where('workflow_id', '=', filter.workflowId);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.cursor) query = query.where('id', '<', filter.cursor);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit + 1).execute();
  const items = rows.slice(0, filter.limit).map((row) => ({
    id: row.id,
    receivedAt: row.received_at,
    ip: row.ip,
    method: row.method,
    path: row.path,
    workflowId: row.workflow_id,
    executionId: row.execution_id,
    outcome: row.outcome as RequestOutcome,
    status: row.status,
    latencyMs: row.latency_ms,
    headers: JSON.parse(row.headers) as Record<string, string>,
    reason: row.reason,
    bodyBytes: row.body_bytes,
  }));
  return { items, nextCursor: rows.length > filter.limit ? items[items.length - 1]!.id : null };
}

/** Retention: drops entries received before `cutoff`. */
export async function deleteRequestsBefore(db: Kysely<Database>, cutoff: string): Promise<number> {
  const result = await db.deleteFrom('requests').where('received_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
