import type { WorkflowCatalog, LiveWorkflow } from '../workflows/catalog.js';
import { createRouteTable, type RouteTable } from './route-table.js';

/** The route table for the live workflows, rebuilt only when the catalog changes. */
export function createWebhookTable(catalog: WorkflowCatalog): () => RouteTable<LiveWorkflow> {
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
    }
    return table;
  };
}
