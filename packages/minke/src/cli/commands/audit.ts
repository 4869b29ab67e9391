import type { Command } from 'commander';
import { addTimeRange, isoTimeRangeOf, type TimeRangeFlags } from '../time-range.js';
import { stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import { localOrRemote } from '../local-or-remote.js';
import type { AuditSource } from '../remote/remote-audit.js';
import { addNewestFirstPageFlags, newestFirstWindowOf, type PageFlags } from '../page-flags.js';

interface AuditListOptions extends PageFlags, TimeRangeFlags {
  actor?: string;
  action?: string;
  target?: string;
  json?: boolean;
}

/**
 * The audit log of the local project's database, or with `--server` a server's, read through its
 * API as the token's user (superusers and view_audit).
 */
const withAudit = localOrRemote<AuditSource>({
  remote: async (api) => (await import('../remote/remote-audit.js')).remoteAudit(api),
  local: async (project) => {
    const { listAudit } = await import('../../audit/audit-log.js');
    const { verifyAudit } = await import('../../audit/verify-audit.js');
    return {
      list: (query) => listAudit(project.database, query),
      verify: () => verifyAudit(project.database),
    };
  },
});

export function registerAuditCommands(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();
  const audit = program
    .command('audit')
    .description(
      "the audit log: who changed what, when and from where (newest first; with --server: that server's)",
    )
    .option('--actor <user>', "one user's changes (operator (CLI) for this machine's CLI)")
    .option('--action <action>', 'an action or its prefix: host matches host.update')
    .option('--target <name>', "one target's changes, by name or id");
  addNewestFirstPageFlags(addTimeRange(audit, { what: 'changes made' }))
    .option('--json', 'print JSON')
    .action(async (options: AuditListOptions) => {
      const out = stdoutOut();
      const window = newestFirstWindowOf(options);
      await withAudit(globals(), async (source) => {
        const page = await source.list({
          actor: options.actor,
          action: options.action,
          target: options.target,
          ...isoTimeRangeOf(options),
          ...window,
        });
        if (options.json) return out.json(page);
        if (page.items.length === 0) return out.line(emptyAuditLine(page.total));
        out.table(
          ['ID', 'AT', 'ACTOR', 'FROM', 'ACTION', 'TARGET'],
          page.items.map((row) => [
            row.id,
            row.at,
            row.actor.name,
            row.ip === null ? row.via : `${row.via} ${row.ip}`,
            row.action,
            `${row.target.type} ${row.target.name ?? row.target.id ?? ''}`.trim(),
          ]),
        );
      });
    });
  audit
    .command('verify')
    .description(
      "check the audit log's hash chain: exits 1 and names the first broken row (with --server: the server checks its own)",
    )
    .action(async () => {
      const out = stdoutOut();
      await withAudit(globals(), async (source) => {
        const verdict = await source.verify();
        if (verdict.ok) {
          out.line(
            `audit log OK: ${verdict.rows} rows, the chain is whole up to row ${verdict.lastId}`,
          );
          return;
        }
        process.stderr.write(
          `audit log BROKEN at row ${verdict.brokenId}: ${verdict.reason} (${verdict.rows} rows before it are intact)\n`,
        );
        process.exitCode = 1;
      });
    });
}

/** What an empty page says: nothing matched, or the page is past the matches. */
function emptyAuditLine(total: number): string {
  return total === 0
    ? 'no audit entries match'
    : `no audit entries on this page: ${total} match (lower --offset)`;
}
