import type { Command } from 'commander';
import { readInputFile } from '../input-file.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

export function registerLoadCommand(program: Command): void {
  program
    .command('load <file>')
    .description('load groups, hosts and records from a YAML or JSON file')
    .option('--if-empty', 'do nothing when the project already has hosts')
    .action(async (file: string, options: { ifEmpty?: boolean }) => {
      const out = stdoutOut();
      const text = await readInputFile(file);
      const { loadFixtures } = await import('../../operations/load-fixtures.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const result = await loadFixtures(project, text, { ifEmpty: options.ifEmpty ?? false });
        out.line(
          result.skipped
            ? `${file}: skipped, the project has hosts already`
            : `${file}: loaded ${result.groups} group(s), ${result.hosts} host(s), ${result.records} record(s)`,
        );
      });
    });
}
