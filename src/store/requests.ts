import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { bulkInsert, type BulkInsert } from './bulk-insert.js';
import { pageOf, type Page, type PageRequest } from './page.js';
import { idFloor } from '../shared/ids.js';

/** Why a request ended as it did; stored as text, listed in docs/api.md. */
export type RequestOutcome =
  | 'accepted'
  | 'duplicate'
  | 'handshake'
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

export const insertRequests: BulkInsert<RequestLogEntry> = bulkInsert({
  table: 'requests',
  columns: ['id', 'received_at', 'ip', 'method', 'path', 'workflow_id', 'execution_id', 'outcome', 'status', 'latency_ms', 'headers', 'reason', 'body_bytes'],
  values: (entry, out) => {
    out.push(
      entry.id, entry.receivedAt, entry.ip, entry.method, entry.path, entry.workflowId, entry.executionId,
      entry.outcome, entry.status, entry.latencyMs, JSON.stringify(entry.headers), entry.reason, entry.bodyBytes,
    );
  },
});

export interface RequestFilter extends PageRequest {
  workflowId?: string;
  outcome?: RequestOutcome;
}

export async function listRequests(
  db: Kysely<Database>,
  filter: RequestFilter,
): Promise<Page<RequestLogEntry>> {
  let query = db.selectFrom('requests').selectAll();
  if (filter.workflowId) query = query.where('workflow_id', '=', filter.workflowId);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.cursor) query = query.where('id', '<', filter.cursor);
  return pageOf(await query.orderBy('id', 'desc').limit(filter.limit + 1).execute(), filter.limit, (row) => ({
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
}

/** Retention: drops entries received before `cutoff` (ids are time-ordered, so by id). */
export async function deleteRequestsBefore(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('requests').where('id', '<', idFloor(cutoff)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
