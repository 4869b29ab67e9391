import type { Command } from 'commander';
import type { ServeOptions } from '../../server/serve-project.js';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

/**
 * `minke serve`: the API, the web admin, the event stream and the agent gateway, without running
 * sessions when the BullMQ executor is configured (workers do). Several may run behind a load
 * balancer: events reach every server, stops reach every worker. It does not migrate: run
 * `minke migrate` once per deployment.
 */
export function registerServeCommand(program: Command): void {
  registerServing(program, {
    name: 'serve',
    description: 'serve the API and web admin (with `minke worker`s running sessions)',
    migrate: false,
    role: 'server',
  });
}

/** A command that serves the project on `--port`/`--listen` (`minke start` and `minke serve`). */
export function registerServing(
  program: Command,
  command: { name: string; description: string; migrate: boolean; role: ServeOptions['role'] },
): void {
  program
    .command(command.name)
    .description(command.description)
    .option('--port <port>', 'port to listen on (default 8000, or MINKE_PORT)')
    .option('--listen <address>', 'address to listen on (default 127.0.0.1, or MINKE_LISTEN)')
    .action(async (options: { port?: string; listen?: string }) => {
      const out = stdoutOut();
      if (options.port !== undefined && !/^\d+$/.test(options.port))
        throw new UsageError(`--port "${options.port}": expected a whole number`);
      const { serveProject } = await import('../../server/serve-project.js');
      await withProject(program.opts<GlobalOptions>(), { migrate: command.migrate }, (project) =>
        serveProject(
          project,
          {
            port: options.port === undefined ? project.config.server.port : Number(options.port),
            host: options.listen ?? project.config.server.listen,
            role: command.role,
          },
          out,
        ),
      );
    });
}
