import type { Command } from 'commander';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

/**
 * `minke hosts leases` and `minke hosts unlock NAME`: host locks as an admin sees them (the
 * original's `minkeadm -L`), read from and cleared in the project's database.
 */
export function registerHostLeaseCommands(program: Command, hosts: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  hosts
    .command('leases')
    .description('host locks: which process holds each host, for which run, until when')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const out = stdoutOut();
      const { listHostLeases } = await import('../../operations/host-leases.js');
      await withProject(globals(), {}, async (project) => {
        const leases = await listHostLeases(project.database);
        if (options.json) return out.json(leases);
        if (leases.length === 0) return out.line('no host is locked');
        out.table(
          ['HOST', 'OWNER', 'RUN', 'SESSION', 'SINCE', 'EXPIRES'],
          leases.map((lease) => [
            lease.host,
            lease.owner,
            lease.runId,
            lease.session,
            lease.since,
            `${lease.expiresAt}${lease.expired ? ' (expired)' : ''}`,
          ]),
        );
      });
    });

  hosts
    .command('unlock <name>')
    .description(
      "clear a host's stale lease; one that has not expired (its run may still be working) only with --force",
    )
    .option('--force', 'clear a lease that has not expired')
    .action(async (name: string, options: { force?: boolean }) => {
      const out = stdoutOut();
      const { clearHostLease } = await import('../../operations/host-leases.js');
      await withProject(globals(), {}, async (project) => {
        const lease = await clearHostLease(project.database, name, { force: options.force });
        out.line(
          `unlocked ${lease.host} (lease of ${lease.owner}${lease.runId === null ? '' : `, run ${lease.runId}`}, ${lease.expired ? 'expired' : 'not yet expired'} at ${lease.expiresAt})`,
        );
      });
    });
}
