import type { Command } from 'commander';
import type { HostInput } from '@minke/contract/api/hosts';
import { UsageError } from '../cli-error.js';
import { configFlag, parsePort } from '../host-flags.js';
import { changeLine, fieldChanges } from '../field-changes.js';
import { stdoutOut } from '../output.js';
import type { WithSource } from '../local-or-remote.js';
import type { GlobalOptions } from '../project-context.js';
import type { HostsSource } from '../remote/remote-hosts.js';

interface HostSetOptions {
  rename?: string;
  hostname?: string;
  port?: string;
  user?: string;
  /** A list replaces the groups; false (`--no-group`) leaves them all. */
  group?: string[] | false;
  config?: string;
  configFile?: string;
  disabled?: boolean;
  enabled?: boolean;
  comment?: string;
}

/** The fields `hosts set` reports, in this order. */
const SHOWN = ['name', 'hostname', 'port', 'user', 'groups', 'config', 'disabled', 'comment'];

/**
 * `minke hosts set NAME …`: changes what the flags name and nothing else, on the project or with
 * --server as the token's user (`change_host`; connection settings as `hosts add` checks them),
 * and prints what changed. An empty `--hostname`, `--user` or `--comment` clears it.
 */
export function registerHostSetCommand(
  hosts: Command,
  globals: () => GlobalOptions,
  withHosts: WithSource<HostsSource>,
): void {
  hosts
    .command('set <name>')
    .description('change a host: only what the flags name (audited)')
    .option('--rename <name>', 'a new name (unique and DNS-safe)')
    .option('--hostname <address>', 'address or ssh-config alias ("" connects to the name)')
    .option('--port <port>', 'SSH port')
    .option('--user <user>', 'SSH user ("" for the default)')
    .option('--group <group...>', 'its host groups from now on, in order')
    .option('--no-group', 'take it out of every group')
    .option('--config <yaml>', 'its connection config from now on (a YAML or JSON mapping)')
    .option('--config-file <file>', 'the same, read from a file')
    .option('--disabled', 'never connect to it until enabled')
    .option('--enabled', 'connect to it again')
    .option('--comment <text>', '"" clears it')
    .action(async (name: string, options: HostSetOptions) => {
      const out = stdoutOut();
      const changes = await changesOf(options);
      await withHosts(globals(), async (source) => {
        const before = await source.get(name);
        const after = await source.update(name, changes);
        const changed = fieldChanges(before, after, SHOWN);
        out.line(changeLine(`host ${name}`, changed, `host ${after.name}`));
      });
    });
}

async function changesOf(options: HostSetOptions): Promise<Partial<HostInput>> {
  if (options.disabled && options.enabled)
    throw new UsageError('--disabled and --enabled: give one of them');
  const config = await configFlag(options);
  const changes: Partial<HostInput> = {
    ...(options.rename === undefined ? {} : { name: options.rename }),
    ...(options.hostname === undefined ? {} : { hostname: options.hostname || null }),
    ...(options.port === undefined ? {} : { port: parsePort(options.port) }),
    ...(options.user === undefined ? {} : { user: options.user || null }),
    ...(options.group === undefined ? {} : { groups: options.group || [] }),
    ...(config === undefined ? {} : { config }),
    ...(options.disabled ? { disabled: true } : {}),
    ...(options.enabled ? { disabled: false } : {}),
    ...(options.comment === undefined ? {} : { comment: options.comment || null }),
  };
  if (Object.keys(changes).length === 0)
    throw new UsageError('name what to change (--hostname, --port, --group, …; see --help)');
  return changes;
}
