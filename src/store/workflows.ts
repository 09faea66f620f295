import type { Kysely, Selectable } from 'kysely';
import type { Database, WorkflowTable } from './schema.js';

export interface WorkflowRecord {
  id: string;
  key: string;
  title: string;
  enabled: boolean;
  version: number;
  path: string | null;
  definition: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowVersionRecord {
  workflowId: string;
  version: number;
  definition: unknown;
  createdAt: string;
}

function toRecord(row: Selectable<WorkflowTable>): WorkflowRecord {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    enabled: row.enabled === 1,
    version: row.version,
    path: row.path,
    definition: JSON.parse(row.definition),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertWorkflow(
  db: Kysely<Database>,
  workflow: { id: string; key: string; title: string; enabled: boolean; path: string | null; definition: unknown; now: string },
): Promise<WorkflowRecord> {
  const definition = JSON.stringify(workflow.definition);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('workflows')
      .values({
        id: workflow.id,
        key: workflow.key,
        title: workflow.title,
        enabled: workflow.enabled ? 1 : 0,
        version: 1,
        path: workflow.path,
        definition,
        created_at: workflow.now,
        updated_at: workflow.now,
      })
      .execute();
    await trx
      .insertInto('workflow_versions')
      .values({ workflow_id: workflow.id, version: 1, definition, created_at: workflow.now })
      .execute();
  });
  return (await getWorkflow(db, workflow.id))!;
}

/** Saves a new definition as the next version; earlier versions stay readable. */
export async function updateWorkflow(
  db: Kysely<Database>,
  change: { id: string; title: string; enabled: boolean; path: string | null; definition: unknown; now: string },
): Promise<WorkflowRecord | undefined> {
  const definition = JSON.stringify(change.definition);
  const updated = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('workflows')
      .set((eb) => ({
        version: eb('version', '+', 1),
        title: change.title,
        enabled: change.enabled ? 1 : 0,
        path: change.path,
        definition,
        updated_at: change.now,
      }))
      .where('id', '=', change.id)
      .returning(['version'])
      .executeTakeFirst();
    if (!row) return false;
    await trx
      .insertInto('workflow_versions')
      .values({ workflow_id: change.id, version: row.version, definition, created_at: change.now })
      .execute();
    return true;
  });
  return updated ? getWorkflow(db, change.id) : undefined;
}

export async function getWorkflow(db: Kysely<Database>, id: string): Promise<WorkflowRecord | undefined> {
  const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

export async function listWorkflows(db: Kysely<Database>): Promise<WorkflowRecord[]> {
  const rows = await db.selectFrom('workflows').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toRecord);
}

export async function setWorkflowEnabled(
  db: Kysely<Database>,
  change: { id: string; enabled: boolean; now: string },
): Promise<WorkflowRecord | undefined> {
  await db
    .updateTable('workflows')
    .set({ enabled: change.enabled ? 1 : 0, updated_at: change.now })
    .where('id', '=', change.id)
    .execute();
  return getWorkflow(db, change.id);
}

export async function deleteWorkflow(db: Kysely<Database>, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('workflows').where('id', '=', id).executeTakeFirst();
    await trx.deleteFrom('workflow_versions').where('workflow_id', '=', id).execute();
    return Number(result.numDeletedRows) > 0;
  });
}

export async function listWorkflowVersions(db: Kysely<Database>, workflowId: string): Promise<WorkflowVersionRecord[]> {
  const rows = await db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => ({
    workflowId: row.workflow_id,
    version: row.version,
    definition: JSON.parse(row.definition),
    createdAt: row.created_at,
  }));
}

export async function getWorkflowVersion(
  db: Kysely<Database>,
  workflowId: string,
  version: number,
): Promise<WorkflowVersionRecord | undefined> {
  const row = await db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && { workflowId: row.workflow_id, version: row.version, definition: JSON.parse(row.definition), createdAt: row.created_at };
}
