import type { Command } from 'commander';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description("apply Minke's migrations and create or extend the tables of the project's models")
    .option(
      '--drop-column <Model.field...>',
      "delete a removed field's column and its data (asked for by name)",
    )
    .action(async (options: { dropColumn?: string[] }) => {
      const out = stdoutOut();
      await withProject(
        program.opts<GlobalOptions>(),
        { migrate: true, dropColumns: options.dropColumn ?? [] },
        (project) => {
          const { migrations, changes, searchIndexes, notes } = project.applied;
          for (const name of migrations) out.line(`applied migration ${name}`);
          for (const change of [...changes, ...searchIndexes]) {
            out.line(
              `${change.model}: ${change.action}${change.column ? ` ${change.column}` : ''}`,
            );
          }
          for (const note of notes) out.line(`note: ${note}`);
          const indexes =
            searchIndexes.length > 0 ? `, ${searchIndexes.length} search index change(s)` : '';
          out.line(
            migrations.length + changes.length + searchIndexes.length === 0
              ? `${project.database.description} is up to date`
              : `${project.database.description} is up to date (${migrations.length} migration(s), ${changes.length} table change(s)${indexes})`,
          );
          return Promise.resolve();
        },
      );
    });
}
