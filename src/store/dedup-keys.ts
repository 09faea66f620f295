import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type DedupClaim = { claimed: true } | { claimed: false; executionId: string };

/**
 * Claims a delivery id for a run. The primary key on (workflow, key) decides
 * between concurrent deliveries: exactly one insert wins. A key whose window
 * ran out, or whose claim never became an execution (the process died before
 * recording it) and is older than `staleBefore`, is taken over — by a
 * compare-and-set on the old execution id, so two takers cannot both win.
 */
export async function claimDedupKey(
  db: Kysely<Database>,
  claim: { workflowId: string; key: string; executionId: string; now: string; expiresAt: string; staleBefore: string },
): Promise<DedupClaim> {
  const inserted = await db
    .insertInto('dedup_keys')
    .values({ workflow_id: claim.workflowId, key: claim.key, execution_id: claim.executionId, claimed_at: claim.now, expires_at: claim.expiresAt })
    .onConflict((oc) => oc.columns(['workflow_id', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { claimed: true };

  const holder = await db
    .selectFrom('dedup_keys')
    .leftJoin('executions', 'executions.id', 'dedup_keys.execution_id')
    .select(['dedup_keys.execution_id as executionId', 'dedup_keys.claimed_at as claimedAt', 'dedup_keys.expires_at as expiresAt', 'executions.id as recorded'])
    .where('dedup_keys.workflow_id', '=', claim.workflowId)
    .where('dedup_keys.key', '=', claim.key)
    .executeTakeFirst();
  if (!holder) return claimDedupKey(db, claim); // deleted in between (retention): claim afresh
  const expired = holder.expiresAt <= claim.now;
  const orphaned = holder.recorded === null && holder.claimedAt < claim.staleBefore;
  if (!expired && !orphaned) return { claimed: false, executionId: holder.executionId };

  const taken = await db
    .updateTable('dedup_keys')
    .set({ execution_id: claim.executionId, claimed_at: claim.now, expires_at: claim.expiresAt })
    .where('workflow_id', '=', claim.workflowId)
    .where('key', '=', claim.key)
    .where('execution_id', '=', holder.executionId)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) > 0) return { claimed: true };
  return claimDedupKey(db, claim);
}

/** Retention: keys whose window has passed. */
export async function deleteExpiredDedupKeys(db: Kysely<Database>, now: string): Promise<number> {
  const result = await db.deleteFrom('dedup_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
