import type { Command } from 'commander';
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
  program
    .command('serve')
    .description('serve the API and web admin (with `minke worker`s running sessions)')
    .option('--port <port>', 'port to listen on (default 8000, or MINKE_PORT)')
    .option('--listen <address>', 'address to listen on (default 127.0.0.1, or MINKE_LISTEN)')
    .action(async (options: { port?: string; listen?: string }) => {
      const out = stdoutOut();
      if (options.port !== undefined && !/^\d+$/.test(options.port))
        throw new UsageError(`--port "${options.port}": expected a whole number`);
      const { buildServer } = await import('../../server/build-server.js');
      const { createRuntime } = await import('../../project/runtime.js');
      const { createLogger } = await import('../../logger.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const port = options.port === undefined ? project.config.server.port : Number(options.port);
        const host = options.listen ?? project.config.server.listen;
        const logger = createLogger();
        const runtime = createRuntime(project, { logger, role: 'server' });
        try {
          await runtime.bus.ready();
          const server = await buildServer({ project, runtime, logger });
          const address = await server.listen({ port, host });
          const { startAgentServices } = await import('../../facts/start-agent-services.js');
          const agents = await startAgentServices(project, { logger });
          const queued = project.config.executor.kind === 'bullmq';
          out.line(`Minke is serving ${project.config.projectDir} at ${address}`);
          out.line(`web admin: ${address}/   API: ${address}/api   API docs: ${address}/api/docs`);
          out.line(
            `database: ${project.database.description}; sessions: ${queued ? 'queued for minke worker processes' : 'run in this process'}`,
          );
          out.line(
            `agents: MQTT broker ${agents.brokerUrl}${agents.broker ? ' (embedded)' : ' (external)'}`,
          );
          out.line('press Ctrl-C to stop');
          await new Promise<void>((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
          out.line('stopping');
          await server.close();
          await agents.close();
        } finally {
          await runtime.close();
        }
      });
    });
}
