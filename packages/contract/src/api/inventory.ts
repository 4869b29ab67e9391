import { z } from 'zod';

/** One field a sync changes on a host or record, with its value before and after. */
export const inventoryFieldChange = z.object({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type InventoryFieldChange = z.infer<typeof inventoryFieldChange>;

/**
 * What a sync does (or, on a dry run, would do): hosts added with their settings, hosts changed
 * with what changed, hosts disabled or deleted because the source no longer lists them, how
 * many are unchanged, and the model records added or changed beside them.
 */
export const inventoryPlan = z.object({
  source: z.string(),
  dryRun: z.boolean(),
  added: z.array(
    z.object({
      name: z.string(),
      hostname: z.string().nullable(),
      port: z.number().nullable(),
      user: z.string().nullable(),
      groups: z.array(z.string()),
    }),
  ),
  changed: z.array(z.object({ name: z.string(), changes: z.array(inventoryFieldChange) })),
  removed: z.array(z.object({ name: z.string(), action: z.enum(['disable', 'delete']) })),
  unchanged: z.number(),
  /** Listed hosts left alone: another source owns them. */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  records: z.array(
    z.object({
      model: z.string(),
      host: z.string(),
      action: z.enum(['add', 'change']),
      changes: z.array(inventoryFieldChange),
    }),
  ),
});
export type InventoryPlan = z.infer<typeof inventoryPlan>;

export const inventorySyncBody = z
  .object({
    dryRun: z.boolean().optional().describe('compute and return the plan; change nothing'),
    allowEmpty: z
      .boolean()
      .optional()
      .describe('sync even when the source lists no hosts (refused by default)'),
  })
  .strict();

/** The outcome of a source's last sync that was not a dry run (by hand or on its schedule). */
export const inventoryLastSync = z.object({
  at: z.string(),
  ok: z.boolean(),
  error: z.string().nullable(),
  added: z.number(),
  changed: z.number(),
  removed: z.number(),
  unchanged: z.number(),
});
export type InventoryLastSync = z.infer<typeof inventoryLastSync>;

export const inventorySource = z.object({
  name: z.string(),
  kind: z.enum(['file', 'url', 'command', 'sshConfig']),
  /** The file, URL, command line or OpenSSH config it reads. */
  from: z.string(),
  format: z.enum(['csv', 'yaml', 'json']).nullable(),
  model: z.string().nullable(),
  schedule: z.string().nullable(),
  removed: z.enum(['disable', 'delete']),
  /** How many hosts the source owns now (added or taken over, and not deleted). */
  hosts: z.number(),
  lastSync: inventoryLastSync.nullable(),
});
export type InventorySource = z.infer<typeof inventorySource>;

export const inventorySourceList = z.object({ items: z.array(inventorySource) });
export type InventorySourceList = z.infer<typeof inventorySourceList>;
