import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

/**
 * `minke db copy --to URL`: the project's whole database into another one (SQLite to PostgreSQL
 * when one machine is no longer enough, or back), migrated first for the same project. The
 * target's password comes from MINKE_TO_DATABASE_PASSWORD(_FILE), never from the command line.
 */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description("the project's database as a whole");
  db.command('copy')
    .description(
      'copy every row (hosts, records, users, history, facts, audit log…) into a new, empty database',
    )
    .requiredOption('--to <url>', 'the target: postgres://USER@HOST/DB or sqlite:FILE')
    .action(async (options: { to: string }) => {
      const out = stdoutOut();
      const to = options.to;
      if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(to))
        throw new UsageError(
          '--to: leave the password out of the URL (command lines are seen by others); set MINKE_TO_DATABASE_PASSWORD or MINKE_TO_DATABASE_PASSWORD_FILE',
        );
      await withProject(program.opts<GlobalOptions>(), {}, async (source) => {
        const { secret } = await import('../../config/resolve-config.js');
        const { openProject } = await import('../../runtime/open-project.js');
        const { copyDatabase, refuseRunningRuns } =
          await import('../../database-copy/copy-database.js');
        const { verifyAudit } = await import('../../audit/verify-audit.js');
        const config = {
          ...source.config,
          database: {
            ...source.config.database,
            url: to,
            password: secret(process.env, 'MINKE_TO_DATABASE_PASSWORD'),
          },
        };
        // Before the target is made: a new SQLite file is not left behind by a refusal.
        await refuseRunningRuns(source.database);
        const target = await openProject(config, { migrate: true });
        try {
          if (target.database.description === source.database.description)
            throw new UsageError(`--to names the project's own database (${to})`);
          out.line(`copying ${source.database.description} to ${target.database.description}`);
          let rows = 0;
          // On a terminal a big table counts up as it goes; otherwise one line a table.
          const live = process.stdout.isTTY;
          let shown = Date.now();
          let counting = false;
          const line = (table: string, count: number) =>
            `  ${table.padEnd(32)} ${count.toLocaleString('en')}`;
          const copied = await copyDatabase(source, target, ({ table, rows: count, done }) => {
            if (!done) {
              // A table that takes more than a moment: its count, four times a second.
              if (live && Date.now() - shown > 250) {
                process.stdout.write(`\r${line(table, count)}`);
                shown = Date.now();
                counting = true;
              }
              return;
            }
            rows += count;
            if (counting) process.stdout.write('\r\x1b[K');
            counting = false;
            shown = Date.now();
            if (count > 0) out.line(line(table, count));
          });
          const audit = await verifyAudit(target.database);
          out.line(
            `copied ${rows.toLocaleString('en')} rows of ${copied.length} tables; ` +
              (audit.ok
                ? `the audit chain verifies there (${audit.rows} entries)`
                : `the audit chain does NOT verify there: entry ${audit.brokenId}: ${audit.reason}`),
          );
          out.line(
            'next: point the project at it (database: in minke.config.ts, or MINKE_DATABASE_URL) and start Minke',
          );
          if (!audit.ok) process.exitCode = 1;
        } finally {
          await target.close();
        }
      });
    });
}
