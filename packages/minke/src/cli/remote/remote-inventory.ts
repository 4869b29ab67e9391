import type { InventoryPlan, InventorySourceList } from '@minke/contract';
import type { ApiClient } from './api-client.js';

/** `minke inventory sync`'s flags, as `POST /api/inventory/:name/sync` takes them. */
export interface InventorySyncOptions {
  dryRun?: boolean | undefined;
  allowEmpty?: boolean | undefined;
}

/**
 * Inventory sources as `minke inventory` uses them: the local project's or, with `--server`, a
 * server's through its API as the token's user. The sources are in the server's project, so a
 * sync through it reads the files, URLs and commands from the server's side.
 */
export interface InventoryAccess {
  list(): Promise<InventorySourceList>;
  sync(name: string, options: InventorySyncOptions): Promise<InventoryPlan>;
}

/** `GET /api/inventory` (`view_host`) and `POST /api/inventory/:name/sync` (`add_host`, ...). */
export function remoteInventory(client: ApiClient): InventoryAccess {
  return {
    list: () => client.get<InventorySourceList>('/api/inventory'),
    sync: (name, { dryRun, allowEmpty }) =>
      client.post<InventoryPlan>(`/api/inventory/${encodeURIComponent(name)}/sync`, {
        dryRun,
        allowEmpty,
      }),
  };
}
