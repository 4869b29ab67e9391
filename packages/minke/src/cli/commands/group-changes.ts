import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { configFlag } from '../host-flags.js';
import { changeLine, fieldChanges } from '../field-changes.js';
import { stdoutOut } from '../output.js';
import type { WithSource } from '../local-or-remote.js';
import type { GlobalOptions } from '../project-context.js';
import type { GroupChanges } from '../../operations/hosts.js';
import type { HostsSource } from '../remote/remote-hosts.js';

interface GroupSetOptions {
  rename?: string;
  config?: string;
  configFile?: string;
  comment?: string;
  /** A list replaces the members; false (`--no-members`) empties the group. */
  members?: string[] | false;
}

/**
 * `minke groups set|remove NAME`: change a host group (only what the flags name) or remove it,
 * on the project or with --server as the token's user (`change_host`; a config or membership
 * that sends a host's stored password elsewhere is checked as for hosts).
 */
export function registerGroupChangeCommands(
  groups: Command,
  globals: () => GlobalOptions,
  withHosts: WithSource<HostsSource>,
): void {
  groups
    .command('set <name>')
    .description('change a host group: only what the flags name (audited)')
    .option('--rename <name>', 'a new name (its hosts keep it)')
    .option('--config <yaml>', 'its connection config from now on (a YAML or JSON mapping)')
    .option('--config-file <file>', 'the same, read from a file')
    .option('--comment <text>', '"" clears it')
    .option('--members <host...>', 'its hosts from now on (one that joins gets it last in order)')
    .option('--no-members', 'take every host out of it')
    .action(async (name: string, options: GroupSetOptions) => {
      const out = stdoutOut();
      const changes = await changesOf(options);
      await withHosts(globals(), async (source) => {
        const before = await source.group(name);
        const after = await source.updateGroup(name, changes);
        const changed = fieldChanges(before, after, ['name', 'config', 'comment', 'members']);
        out.line(changeLine(`group ${name}`, changed, `group ${after.name}`));
      });
    });

  groups
    .command('remove <name>')
    .description('remove a host group: its hosts stay, without its connection config')
    .action(async (name: string) => {
      const out = stdoutOut();
      await withHosts(globals(), async (source) => {
        const { hosts } = await source.group(name);
        await source.removeGroup(name);
        out.line(`removed group ${name} (${hosts} host(s) left it)`);
      });
    });
}

async function changesOf(options: GroupSetOptions): Promise<GroupChanges> {
  const config = await configFlag(options);
  const changes: GroupChanges = {
    ...(options.rename === undefined ? {} : { name: options.rename }),
    ...(config === undefined ? {} : { config }),
    ...(options.comment === undefined ? {} : { comment: options.comment || null }),
    ...(options.members === undefined ? {} : { members: options.members || [] }),
  };
  if (Object.keys(changes).length === 0)
    throw new UsageError('name what to change (--rename, --config, --comment, --members)');
  return changes;
}
