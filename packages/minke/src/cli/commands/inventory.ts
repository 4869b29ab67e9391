import type { Command } from 'commander';
import type { InventoryFieldChange, InventoryPlan } from '@minke/contract';
import { displayValue, stdoutOut, type Out } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';
import type { InventoryAccess } from '../remote/remote-inventory.js';

/**
 * The inventory sources of the local project or, with `--server`, a server's through its API as
 * the token's user (a sync there is audited as that user).
 */
const withInventory = localOrRemote<InventoryAccess>({
  remote: async (api) => (await import('../remote/remote-inventory.js')).remoteInventory(api),
  local: async (project) => {
    const { listInventory } = await import('../../inventory/inventory-sources.js');
    return {
      list: () => listInventory(project),
      sync: async (name, options) =>
        (await import('../../inventory/sync-inventory.js')).syncInventory(project, name, options),
    };
  },
});

/**
 * `minke inventory list|sync`: the project's inventory sources with their last sync, and a sync
 * (or a dry run) that prints what it adds, changes and disables; on the local project or, with
 * `--server`, through a server's API.
 */
export function registerInventoryCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const inventory = program
    .command('inventory')
    .description('inventory sources: hosts synced from files, URLs, commands, OpenSSH configs');

  addListCommand(inventory, globals, {
    isDefault: true,
    description: 'the sources, how many hosts each owns, and their last sync',
    open: withInventory,
    read: (source) => source.list(),
    items: (list) => list.items,
    empty: 'no inventory sources (add them to minke.config.ts: inventory: [...])',
    columns: ['SOURCE', 'FROM', 'SCHEDULE', 'HOSTS', 'LAST SYNC', 'RESULT'],
    row: (source) => [
      source.name,
      `${source.kind} ${source.from}`,
      source.schedule ?? '-',
      source.hosts,
      source.lastSync?.at ?? 'never',
      !source.lastSync
        ? ''
        : source.lastSync.ok
          ? `+${source.lastSync.added} ~${source.lastSync.changed} -${source.lastSync.removed} =${source.lastSync.unchanged}`
          : `failed: ${source.lastSync.error ?? ''}`,
    ],
  });

  inventory
    .command('sync <source>')
    .description('sync a source now: add, change and disable its hosts (audited)')
    .option('--dry-run', 'print what would change; change nothing')
    .option('--allow-empty', 'sync even if the source lists no hosts (disabling all it added)')
    .option('--json', 'print the plan as JSON')
    .action(
      async (name: string, options: { dryRun?: boolean; allowEmpty?: boolean; json?: boolean }) => {
        const out = stdoutOut();
        await withInventory(globals(), async (source) => {
          const plan = await source.sync(name, {
            dryRun: options.dryRun,
            allowEmpty: options.allowEmpty,
          });
          if (options.json) return out.json(plan);
          printPlan(out, plan);
        });
      },
    );
}

/** The plan, one line per host: `+` added, `~` changed (with what), `-` disabled or deleted. */
export function printPlan(out: Out, plan: InventoryPlan): void {
  const verb = plan.dryRun ? 'would ' : '';
  out.line(
    `${plan.source}${plan.dryRun ? ' (dry run: nothing changed)' : ''}: ${verb}add ${plan.added.length}, ${verb}change ${plan.changed.length}, ${verb}remove ${plan.removed.length}, ${plan.unchanged} unchanged`,
  );
  for (const host of plan.added) {
    const where = `${host.user ? `${host.user}@` : ''}${host.hostname ?? host.name}${host.port ? `:${host.port}` : ''}`;
    const groups = host.groups.length > 0 ? ` groups ${host.groups.join(',')}` : '';
    out.line(`  + ${host.name}  ${where}${groups}`);
  }
  for (const host of plan.changed) out.line(`  ~ ${host.name}  ${changeText(host.changes)}`);
  for (const host of plan.removed)
    out.line(`  - ${host.name}  ${host.action === 'delete' ? 'deleted' : 'disabled'}`);
  for (const skip of plan.skipped) out.line(`  ! ${skip.name}  skipped: ${skip.reason}`);
  for (const record of plan.records)
    out.line(
      `  ${record.action === 'add' ? '+' : '~'} ${record.model} of ${record.host}  ${changeText(record.changes)}`,
    );
}

function changeText(changes: InventoryFieldChange[]): string {
  return changes
    .map(
      (change) =>
        `${change.field}: ${displayValue(change.before) || '-'} → ${displayValue(change.after) || '-'}`,
    )
    .join(', ');
}
