import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { displayValue, stdoutOut } from '../output.js';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';
import type { GlobalOptions } from '../project-context.js';
import type { HostsSource } from '../remote/remote-hosts.js';
import { readPages } from '../read-pages.js';
import { addPageFlags, nextPageLine, pageWindowOf, type PageFlags } from '../page-flags.js';
import { readInputFile } from '../input-file.js';
import { registerHostKeyCommands } from './host-keys.js';
import { registerHostLeaseCommands } from './host-leases.js';
import { registerHostSetCommand } from './host-set.js';
import { registerGroupChangeCommands } from './group-changes.js';
import { configFlag, parsePort } from '../host-flags.js';

interface HostAddOptions {
  hostname?: string;
  port?: string;
  user?: string;
  group?: string[];
  config?: string;
  configFile?: string;
  disabled?: boolean;
  comment?: string;
}

/**
 * The hosts of the local project or, with `--server`, a server's, through its API as the token's
 * user. Both answer with the same records, printed below.
 */
const withHosts = localOrRemote<HostsSource>({
  remote: async (api) => (await import('../remote/remote-hosts.js')).remoteHosts(api),
  local: (project) => ({
    // The filter parser loads only for a --where: a plain list starts without it.
    list: async ({ where, search, limit, offset }) =>
      project.hosts.list({
        ...(where === undefined || where.trim() === ''
          ? {}
          : { filter: (await import('../../query/parse-where.js')).parseWhere(where) }),
        ...(search ? { search } : {}),
        limit,
        offset,
      }),
    get: (name) => project.hosts.get(name),
    add: (host) => project.hosts.add(host),
    update: (name, changes) => project.hosts.update(name, changes),
    remove: (name) => project.hosts.remove(name),
    import: async (text, options) =>
      (await import('../../operations/import-hosts.js')).importHosts(project, text, options),
    groups: () => project.hosts.listGroups(),
    addGroup: (group) => project.hosts.addGroup(group),
    group: (name) => project.hosts.getGroup(name),
    updateGroup: (name, changes) => project.hosts.updateGroup(name, changes),
    removeGroup: (name) => project.hosts.removeGroup(name),
  }),
});

export function registerHostCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const hosts = program
    .command('hosts')
    .description('the hosts Minke connects to (one host = one SSH target)')
    // Groups are a command of their own; someone reading about hosts looks for them here.
    .addHelpText(
      'after',
      '\nGroups of hosts (shared connection config, membership in order): minke groups --help',
    );

  hosts
    .command('add <name>')
    .description('add a host; the name is unique and DNS-safe (web-1.example.com)')
    .option('--hostname <address>', 'address or ssh-config alias to connect to (default: the name)')
    .option('--port <port>', 'SSH port')
    .option('--user <user>', 'SSH user')
    .option('--group <group...>', 'host groups, in the order their configs apply')
    .option('--config <yaml>', 'connection config as a YAML or JSON mapping')
    .option('--config-file <file>', 'read the connection config from a YAML or JSON file')
    .option('--disabled', 'never connect to it until enabled')
    .option('--comment <text>')
    .action(async (name: string, options: HostAddOptions) => {
      const out = stdoutOut();
      const config = await configFlag(options);
      await withHosts(globals(), async (source) => {
        const host = await source.add({
          name,
          hostname: options.hostname,
          port: parsePort(options.port),
          user: options.user,
          ...(options.group ? { groups: options.group } : {}),
          ...(config === undefined ? {} : { config }),
          ...(options.disabled ? { disabled: true } : {}),
          ...(options.comment === undefined ? {} : { comment: options.comment }),
        });
        out.line(`added host ${host.name} (id ${host.id})`);
      });
    });

  const list = hosts
    .command('list')
    .description('list hosts')
    .option('--where <expr>', 'filter, e.g. "groups.name = web and disabled = false"')
    .option('--search <text>', 'look for text in name, hostname and comment');
  addPageFlags(list, '100')
    .option('--json', 'print JSON')
    .action(async (options: PageFlags & { where?: string; search?: string; json?: boolean }) => {
      const out = stdoutOut();
      const wanted = pageWindowOf(options);
      await withHosts(globals(), async (source) => {
        const page = await readPages(wanted, (window) =>
          source.list({ where: options.where, search: options.search, ...window }),
        );
        if (options.json) return out.json(page);
        out.table(
          ['NAME', 'HOSTNAME', 'PORT', 'USER', 'GROUPS', 'DISABLED', 'COMMENT'],
          page.items.map((h) => [
            h.name,
            h['hostname'] as string,
            h['port'] as number,
            h['user'] as string,
            h.groups.join(','),
            h['disabled'] ? 'yes' : '',
            h['comment'] as string,
          ]),
        );
        const next = nextPageLine(page);
        if (next) out.line(next);
      });
    });

  hosts
    .command('show <name>')
    .description('show a host and its connection config')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const out = stdoutOut();
      await withHosts(globals(), async (source) => {
        const host = await source.get(name);
        if (options.json) return out.json(host);
        for (const key of [
          'name',
          'hostname',
          'port',
          'user',
          'disabled',
          'comment',
          'created_at',
          'updated_at',
        ]) {
          out.line(`${`${key}:`.padEnd(12)}${displayValue(host[key])}`);
        }
        out.line(`${'groups:'.padEnd(12)}${host.groups.join(', ')}`);
        out.line(`${'config:'.padEnd(12)}${JSON.stringify(host['config'])}`);
      });
    });

  hosts
    .command('remove <name>')
    .description('remove a host (and the records that hang on it)')
    .action(async (name: string) => {
      const out = stdoutOut();
      await withHosts(globals(), async (source) => {
        await source.remove(name);
        out.line(`removed host ${name}`);
      });
    });

  hosts
    .command('import [file]')
    .description(
      'add a host for each concrete Host entry of an OpenSSH config (default ~/.ssh/config)',
    )
    .option('--dry-run', 'show what would be imported')
    .option('--group <group...>', 'put imported hosts in these groups')
    .action(async (file: string | undefined, options: { dryRun?: boolean; group?: string[] }) => {
      const out = stdoutOut();
      const path = file ?? join(homedir(), '.ssh', 'config');
      const text = await readInputFile(path);
      await withHosts(globals(), async (source) => {
        const report = await source.import(text, {
          dryRun: options.dryRun === true,
          groups: options.group,
        });
        for (const { alias, reason } of report.skipped) out.line(`skipped ${alias}: ${reason}`);
        for (const name of report.added)
          out.line(`${report.dryRun ? 'would add' : 'added'} ${name}`);
        out.line(
          `${report.dryRun ? 'would import' : 'imported'} ${report.added.length} host(s) from ${path}`,
        );
      });
    });

  registerHostSetCommand(hosts, globals, withHosts);
  registerHostLeaseCommands(program, hosts);
  registerHostKeyCommands(program, hosts);

  const groups = program.command('groups').description('host groups: shared connection config');
  groups
    .command('add <name>')
    .description('add a host group')
    .option('--config <yaml>', 'connection config as a YAML or JSON mapping')
    .option('--comment <text>')
    .action(async (name: string, options: { config?: string; comment?: string }) => {
      const out = stdoutOut();
      await withHosts(globals(), async (source) => {
        const group = await source.addGroup({
          name,
          ...(options.config === undefined ? {} : { config: options.config }),
          comment: options.comment ?? null,
        });
        out.line(`added group ${group.name} (id ${group.id})`);
      });
    });
  addListCommand(groups, globals, {
    description: 'list host groups',
    open: withHosts,
    read: (source) => source.groups(),
    items: (list) => list,
    columns: ['NAME', 'HOSTS', 'CONFIG', 'COMMENT'],
    row: (g) => [g.name, g.hosts, JSON.stringify(g.config), g.comment],
  });
  registerGroupChangeCommands(groups, globals, withHosts);
}
