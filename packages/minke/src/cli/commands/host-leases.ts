import type { Command } from 'commander';
import { localOrRemote } from '../local-or-remote.js';
import { addListCommand } from '../list-command.js';
import { stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import type { HostLeasesSource } from '../remote/remote-host-leases.js';

/** The project's host locks or, with --server, a server's (superusers only). */
const withLeases = localOrRemote<HostLeasesSource>({
  remote: async (api) => (await import('../remote/remote-host-leases.js')).remoteHostLeases(api),
  local: async (project) => {
    const { clearHostLease, listHostLeases } = await import('../../operations/host-leases.js');
    return {
      list: () => listHostLeases(project.database),
      clear: (host, force) => clearHostLease(project.database, host, { force }),
    };
  },
});

/**
 * `minke hosts leases` and `minke hosts unlock NAME`: host locks as an admin sees them (the
 * original's `minkeadm -L`), read from and cleared in the project's database or a server's.
 */
export function registerHostLeaseCommands(program: Command, hosts: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  addListCommand(hosts, globals, {
    name: 'leases',
    description: 'host locks: which process holds each host, for which run, until when',
    open: withLeases,
    read: (source) => source.list(),
    items: (leases) => leases,
    empty: 'no host is locked',
    columns: ['HOST', 'OWNER', 'RUN', 'SESSION', 'SINCE', 'EXPIRES'],
    row: (lease) => [
      lease.host,
      lease.owner,
      lease.runId,
      lease.session,
      lease.since,
      `${lease.expiresAt}${lease.expired ? ' (expired)' : ''}`,
    ],
  });

  hosts
    .command('unlock <name>')
    .description(
      "clear a host's stale lease; one that has not expired (its run may still be working) only with --force",
    )
    .option('--force', 'clear a lease that has not expired')
    .action(async (name: string, options: { force?: boolean }) => {
      const out = stdoutOut();
      await withLeases(globals(), async (source) => {
        const lease = await source.clear(name, options.force === true);
        out.line(
          `unlocked ${lease.host} (lease of ${lease.owner}${lease.runId === null ? '' : `, run ${lease.runId}`}, ${lease.expired ? 'expired' : 'not yet expired'} at ${lease.expiresAt})`,
        );
      });
    });
}
