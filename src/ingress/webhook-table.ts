import type { WorkflowCatalog, LiveWorkflow } from '../workflows/catalog.js';
import type { Logger } from '../shared/logger.js';
import { createRouteTable, type RouteTable } from './route-table.js';

/** The route table for the live workflows, rebuilt only when the catalog changes. */
export function createWebhookTable(catalog: WorkflowCatalog, logger: Logger): () => RouteTable<LiveWorkflow> {
  let builtFor = -1;
  let table: RouteTable<LiveWorkflow> = createRouteTable([]);
  return () => {
    if (builtFor !== catalog.generation()) {
      builtFor = catalog.generation();
      table = createRouteTable(
        catalog.live().map((live) => ({
          workflowId: live.record.id,
          key: live.record.key,
          path: live.definition.trigger.path,
          methods: live.definition.trigger.methods ?? [],
          value: live,
        })),
      );
      // Saved definitions are checked for this, so it takes a change made around the API (another process, an old version).
      for (const { entry, problem } of table.rejected) {
        logger.warn({ workflowId: entry.workflowId, problem }, 'workflow path not served; its key URL still is');
      }
    }
    return table;
  };
}
