import { inventoryPlan, inventorySourceList, inventorySyncBody } from '@minke/contract';
import { requireModelPermission } from '../auth/access.js';
import { inventorySource, listInventory } from '../inventory/inventory-sources.js';
import { syncInventory } from '../inventory/sync-inventory.js';
import { HOST_MODEL } from '../model/host-model.js';
import { requireHostRight } from './host-right.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { nameParams } from './schemas.js';

/**
 * Inventory sources: the list with each source's last sync (needs `view_host`), and a sync or a
 * dry run of one (needs `add_host` and `change_host`, and `delete_host` for a source that deletes
 * the hosts it no longer lists; connection settings are checked as when adding a host by hand).
 */
export const inventoryRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/inventory',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Inventory sources with how many hosts each owns and their last sync',
        response: { 200: inventorySourceList },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return listInventory(project);
    },
  );

  app.post(
    '/inventory/:name/sync',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Sync a source (or, with dryRun, say what a sync would change)',
        params: nameParams,
        body: inventorySyncBody,
        response: { 200: inventoryPlan },
      },
    },
    async (request) => {
      const actor = principalOf(request).access;
      const source = inventorySource(project, request.params.name);
      for (const action of ['add', 'change'] as const)
        requireModelPermission(actor, action, HOST_MODEL);
      if (source.removed === 'delete') requireModelPermission(actor, 'delete', HOST_MODEL);
      const { dryRun, allowEmpty } = request.body;
      return syncInventory(project, source.name, { dryRun, allowEmpty, actor });
    },
  );
};
