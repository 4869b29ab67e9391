import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

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
      const { buildServer } = await import('../../server/build-server.js');
      const { createRuntime } = await import('../../project/runtime.js');
      const { createLogger } = await import('../../logger.js');
      await withProject(program.opts<GlobalOptions>(), { migrate: true }, async (project) => {
        const port = options.port === undefined ? project.config.server.port : Number(options.port);
        const host = options.listen ?? project.config.server.listen;
        const logger = createLogger();
        const runtime = createRuntime(project, { logger });
        await runtime.bus.ready();
        const server = await buildServer({ project, runtime, logger });
        const address = await server.listen({ port, host });
        const { startAgentServices } = await import('../../facts/start-agent-services.js');
        const agents = await startAgentServices(project, { logger });
        const hosts = await project.hosts.list({ limit: 1 });
        out.line(`Minke is serving ${project.config.projectDir} at ${address}`);
        out.line(`web admin: ${address}/   API: ${address}/api   API docs: ${address}/api/docs`);
        out.line(
          `database: ${project.database.description}; ${hosts.total} host(s); models: ${project.models.userModels.map((m) => m.name).join(', ') || 'none'}`,
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
        await runtime.close();
      });
    });
}
