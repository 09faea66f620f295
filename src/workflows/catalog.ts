import type { Kysely } from 'kysely';
import { compileWorkflow, type CompiledWorkflow } from '../engine/compile.js';
import type { WorkflowDefinition } from '../engine/definition.js';
import type { NodeRegistry } from '../engine/registry.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../store/schema.js';
import { getWorkflowVersion, listWorkflows, type WorkflowRecord } from '../store/workflows.js';

export interface LiveWorkflow {
  record: WorkflowRecord;
  definition: WorkflowDefinition;
  compiled: CompiledWorkflow;
}

export interface WorkflowCatalog {
  /** Enabled workflows at their current version, compiled. */
  live(): readonly LiveWorkflow[];
  /** Bumped on every reload, so route tables know when to rebuild. */
  generation(): number;
  /** A compiled version, for runs that started on an older one. */
  compiled(workflowId: string, version: number): Promise<CompiledWorkflow | undefined>;
  reload(): Promise<void>;
  /** Picks up changes made by other processes sharing the database. */
  startPolling(intervalMs: number): void;
  stop(): void;
}

/**
 * Holds every enabled workflow compiled once per version: nothing is parsed
 * or compiled on the request path. Versions are immutable, so a compiled
 * version never goes stale; only the set of live ones changes.
 */
export function createWorkflowCatalog(deps: { db: Kysely<Database>; registry: NodeRegistry; logger: Logger }): WorkflowCatalog {
  const compiledVersions = new Map<string, CompiledWorkflow>();
  let liveWorkflows: LiveWorkflow[] = [];
  let gen = 0;
  let pollFingerprint = '';
  let timer: NodeJS.Timeout | undefined;

  function compileVersion(workflowId: string, version: number, definition: unknown): CompiledWorkflow {
    const cacheKey = `${workflowId}@${version}`;
    let compiled = compiledVersions.get(cacheKey);
    if (!compiled) {
      compiled = compileWorkflow(definition as WorkflowDefinition, deps.registry);
      compiledVersions.set(cacheKey, compiled);
    }
    return compiled;
  }

  async function reload(): Promise<void> {
    const records = await listWorkflows(deps.db);
    const next: LiveWorkflow[] = [];
    for (const record of records) {
      if (!record.enabled) continue;
      try {
        next.push({ record, definition: record.definition as WorkflowDefinition, compiled: compileVersion(record.id, record.version, record.definition) });
      } catch (err) {
        // Definitions are validated before they are stored; one that no longer
        // compiles (a node type was removed) is served as absent, not fatal.
        deps.logger.error({ err, workflowId: record.id }, 'workflow does not compile; not serving it');
      }
    }
    liveWorkflows = next;
    gen += 1;
  }

  async function poll(): Promise<void> {
    // Cheap: every change (create, new version, enable, disable) moves
    // updated_at, and a delete moves the count.
    const row = await deps.db
      .selectFrom('workflows')
      .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.max('updated_at').as('latest')])
      .executeTakeFirstOrThrow();
    const current = `${Number(row.n)}:${row.latest ?? ''}`;
    if (current !== pollFingerprint) {
      pollFingerprint = current;
      await reload();
    }
  }

  return {
    live: () => liveWorkflows,
    generation: () => gen,
    async compiled(workflowId, version) {
      const cached = compiledVersions.get(`${workflowId}@${version}`);
      if (cached) return cached;
      const stored = await getWorkflowVersion(deps.db, workflowId, version);
      return stored && compileVersion(workflowId, version, stored.definition);
    },
    reload,
    startPolling(intervalMs) {
      timer = setInterval(() => {
        poll().catch((err) => deps.logger.warn({ err }, 'workflow catalog refresh failed'));
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
