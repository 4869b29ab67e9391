import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

interface AuditListOptions {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
}

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the audit log: who changed what, when and from where (newest first)')
    .option('--actor <user>', "one user's changes (operator (CLI) for this machine's CLI)")
    .option('--action <action>', 'an action or its prefix: host matches host.update')
    .option('--target <name>', "one target's changes, by name or id")
    .option('--since <time>', 'from this time (2026-01-31 or 2026-01-31T12:00:00Z)')
    .option('--until <time>', 'up to this time')
    .option('--limit <n>', 'at most this many rows', '50')
    .option('--json', 'print JSON')
    .action(async (options: AuditListOptions) => {
      const out = stdoutOut();
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new UsageError(`--limit "${options.limit}": expected a whole number from 1 to 1000`);
      const { listAudit } = await import('../../audit/audit-log.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const page = await listAudit(project.database, { ...options, limit });
        if (options.json) return out.json(page);
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
    .description("check the audit log's hash chain: exits 1 and names the first broken row")
    .action(async () => {
      const out = stdoutOut();
      const { verifyAudit } = await import('../../audit/verify-audit.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const verdict = await verifyAudit(project.database);
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
