const inventorySourceBrand = Symbol.for('minke.inventory-source');

/** Where an inventory source reads its hosts from: exactly one of these. */
export type InventoryFrom =
  /** A CSV, YAML or JSON file, relative to the project folder. */
  | { file: string }
  /** A CSV, YAML or JSON document fetched over http(s). */
  | { url: string }
  /** A program (argv, no shell) that prints JSON, like Ansible's dynamic inventory scripts. */
  | { command: readonly string[] }
  /** An OpenSSH client config: one host per concrete `Host` entry. */
  | { sshConfig: string };

/** An inventory source as a project writes it. */
export interface InventorySourceDefinition {
  readonly [inventorySourceBrand]: true;
  /** Unique: letters, digits, `_`, `.`, `-`. */
  readonly name: string;
  readonly from: InventoryFrom;
  /** How the text is read; by default from the file's or URL's extension (JSON for a command). */
  readonly format: 'csv' | 'yaml' | 'json' | null;
  /** The model whose records the source's extra fields fill (one record per host). */
  readonly model: string | null;
  /** A cron expression: `minke start` syncs the source on it. */
  readonly schedule: string | null;
  /** What happens to a host this source added once it no longer lists it (default `disable`). */
  readonly removed: 'disable' | 'delete';
  /** How long reading the source may take, in milliseconds (default 30,000). */
  readonly timeoutMs: number;
  /** The most the source may print or send, in bytes (default 10 MiB). */
  readonly maxBytes: number;
}

/**
 * An inventory source: hosts (and optionally records of a model) that Minke syncs from a file,
 * a URL, a command or an OpenSSH config, on `minke inventory sync NAME` or on a schedule. Hosts
 * the source added and no longer lists are disabled (or deleted with `removed: 'delete'`); hosts
 * added by hand or by another source are never touched by it. List sources in
 * `minke.config.ts` (`inventory: [...]`).
 *
 * @example
 *   export const cmdb = defineInventorySource({
 *     name: 'cmdb',
 *     from: { file: 'inventory/hosts.csv' },
 *     model: 'Server',
 *     schedule: '0 * * * *',
 *   });
 */
export function defineInventorySource(source: {
  name: string;
  from: InventoryFrom;
  format?: 'csv' | 'yaml' | 'json';
  model?: string;
  schedule?: string;
  removed?: 'disable' | 'delete';
  timeoutMs?: number;
  maxBytes?: number;
}): InventorySourceDefinition {
  return {
    [inventorySourceBrand]: true,
    name: source.name,
    from: source.from,
    format: source.format ?? null,
    model: source.model ?? null,
    schedule: source.schedule ?? null,
    removed: source.removed ?? 'disable',
    timeoutMs: source.timeoutMs ?? 30_000,
    maxBytes: source.maxBytes ?? 10 * 1024 * 1024,
  };
}

/** Whether a value is a source from `defineInventorySource` (across module copies). */
export function isInventorySource(value: unknown): value is InventorySourceDefinition {
  return typeof value === 'object' && value !== null && inventorySourceBrand in value;
}
