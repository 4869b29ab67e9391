import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { projectTemplates } from '../init/templates.js';
import { stdoutOut } from '../output.js';

export function registerInitCommand(program: Command): void {
  program
    .command('init [dir]')
    .description(
      'create a project that works at once: config, an example model, session and plugin',
    )
    .option('--force', 'overwrite files that exist')
    .action(async (dir: string | undefined, options: { force?: boolean }) => {
      const out = stdoutOut();
      const target = resolve(dir ?? '.');
      const clashes = Object.keys(projectTemplates).filter((file) =>
        existsSync(join(target, file)),
      );
      if (clashes.length > 0 && !options.force) {
        throw new UsageError(
          `${target} already has ${clashes.join(', ')}: use --force to overwrite`,
        );
      }
      for (const [file, content] of Object.entries(projectTemplates)) {
        const path = join(target, file);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content);
      }
      out.line(`created a Minke project in ${target}`);
      out.line(`next: minke --project ${dir ?? '.'} migrate`);
    });
}
