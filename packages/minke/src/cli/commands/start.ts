import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

/** `minke start`: migrate, then everything in one process. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('migrate, then serve everything in one process (embedded defaults)')
    .option('--port <port>', 'port to listen on (default 8000, or MINKE_PORT)')
    .option('--listen <address>', 'address to listen on (default 127.0.0.1, or MINKE_LISTEN)')
    .action(async (options: { port?: string; listen?: string }) => {
      const out = stdoutOut();
      if (options.port !== undefined && !/^\d+$/.test(options.port))
        throw new UsageError(`--port "${options.port}": expected a whole number`);
      const { serveProject } = await import('../../server/serve-project.js');
      await withProject(program.opts<GlobalOptions>(), { migrate: true }, (project) =>
        serveProject(
          project,
          {
            port: options.port === undefined ? project.config.server.port : Number(options.port),
            host: options.listen ?? project.config.server.listen,
            role: 'all',
          },
          out,
        ),
      );
    });
}
