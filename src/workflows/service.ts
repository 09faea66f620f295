import type { Kysely } from 'kysely';
import type { WorkflowDefinition } from '../engine/definition.js';
import type { NodeRegistry } from '../engine/registry.js';
import { validateDefinition } from '../engine/validate.js';
import { createRouteTable } from '../ingress/route-table.js';
import type { Clock } from '../shared/clock.js';
import { HookflowError } from '../shared/errors.js';
import { newId, newWebhookKey } from '../shared/ids.js';
import type { Database } from '../store/schema.js';
import * as store from '../store/workflows.js';
import type { WorkflowCatalog } from './catalog.js';

export interface WorkflowService {
  create(input: unknown): Promise<store.WorkflowRecord>;
  /** Saves a new version; the old ones stay readable and runs on them finish on them. */
  update(id: string, input: unknown): Promise<store.WorkflowRecord>;
  setEnabled(id: string, enabled: boolean): Promise<store.WorkflowRecord>;
  remove(id: string): Promise<void>;
  get(id: string): Promise<store.WorkflowRecord>;
}

/**
 * Changes to workflows, shared by the management API and the CLI: validate
 * (every problem with its path), refuse a `path` another workflow serves,
 * store, and make the change live at once.
 */
export function createWorkflowService(deps: { db: Kysely<Database>; registry: NodeRegistry; catalog: WorkflowCatalog; clock: Clock }): WorkflowService {
  const { db, catalog } = deps;

  function validate(input: unknown): WorkflowDefinition {
    const result = validateDefinition(input, deps.registry);
    if (!result.ok) {
      throw new HookflowError('invalid_definition', `the workflow definition has ${result.problems.length} problem(s)`, { details: result.problems });
    }
    return result.definition;
  }

  async function refusePathConflict(definition: WorkflowDefinition, exceptWorkflowId?: string): Promise<void> {
    const path = definition.trigger.path;
    if (!path) return;
    const others = await store.listWorkflows(db);
    const table = createRouteTable(
      others.map((w) => ({ workflowId: w.id, key: w.key, path: w.path ?? undefined, methods: [], value: null })),
    );
    const holder = table.findConflict(path, exceptWorkflowId ? { exceptWorkflowId } : undefined);
    if (holder) {
      throw new HookflowError('conflict', `path "${path}" is already served by workflow ${holder.workflowId}`, {
        details: [{ path: 'trigger.path', message: `already served by workflow ${holder.workflowId}` }],
      });
    }
  }

  async function get(id: string): Promise<store.WorkflowRecord> {
    const record = await store.getWorkflow(db, id);
    if (!record) throw new HookflowError('not_found', `no workflow ${id}`);
    return record;
  }

  return {
    get,
    async create(input) {
      const definition = validate(input);
      await refusePathConflict(definition);
      const record = await store.insertWorkflow(db, {
        id: newId(),
        key: newWebhookKey(),
        title: definition.title,
        enabled: definition.enabled ?? true,
        path: definition.trigger.path ?? null,
        definition,
        now: deps.clock.now().toISOString(),
      });
      await catalog.reload();
      return record;
    },
    async update(id, input) {
      const current = await get(id);
      const definition = validate(input);
      await refusePathConflict(definition, id);
      const record = await store.updateWorkflow(db, {
        id,
        title: definition.title,
        enabled: definition.enabled ?? current.enabled,
        path: definition.trigger.path ?? null,
        definition,
        now: deps.clock.now().toISOString(),
      });
      if (!record) throw new HookflowError('not_found', `no workflow ${id}`);
      await catalog.reload();
      return record;
    },
    async setEnabled(id, enabled) {
      const record = await store.setWorkflowEnabled(db, { id, enabled, now: deps.clock.now().toISOString() });
      if (!record) throw new HookflowError('not_found', `no workflow ${id}`);
      await catalog.reload();
      return record;
    },
    async remove(id) {
      if (!(await store.deleteWorkflow(db, id))) throw new HookflowError('not_found', `no workflow ${id}`);
      await catalog.reload();
    },
  };
}
