import type { AgentServicesRef } from '../api/api-context.js';
import { createLogger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { createRuntime } from '../runtime/runtime.js';
import { projectSessionThread } from '../runtime/session-thread-entry.js';
import { buildServer } from './build-server.js';
import { listenOrExplain } from './port-in-use.js';
import { eventBusReadyOrLater } from './readiness.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** `all` runs sessions here too (`minke start`); `server` leaves them to workers (`minke serve`). */
  role: 'all' | 'server';
}

/**
 * Serves a project until SIGINT or SIGTERM: the runtime, the HTTP server (API, web admin, events)
 * and the agent services; says where; closes everything in order on the way out.
 */
export async function serveProject(
  project: Project,
  options: ServeOptions,
  out: { line(text: string): void },
): Promise<void> {
  const logger = createLogger();
  const sessionThread = options.role === 'all' ? projectSessionThread(project) : undefined;
  const runtime = createRuntime(project, { logger, role: options.role, sessionThread });
  try {
    await eventBusReadyOrLater(runtime.bus, logger);
    // Filled in once the agent services run: the API dispatches through them.
    const agentServices: AgentServicesRef = { current: undefined };
    const server = await buildServer({ project, runtime, logger, agents: agentServices });
    const address = await listenOrExplain('web', options, () =>
      server.listen({ port: options.port, host: options.host }),
    );
    const { startAgentServices } = await import('../facts/start-agent-services.js');
    const { mqtt } = project.config;
    const agents = await listenOrExplain('mqtt', { port: mqtt.port, host: mqtt.listen }, () =>
      startAgentServices(project, { logger }),
    ).catch(async (error: unknown) => {
      await server.close(); // the web server listens already; let the process end
      throw error;
    });
    agentServices.current = agents;
    // Saved jobs' schedules: croner here, or BullMQ job schedulers when scaled out.
    const { startScheduler } = await import('../schedules/start-scheduler.js');
    const scheduler = await startScheduler(runtime, logger);
    // Inventory sources with a schedule: synced on their cron, once per tick across servers.
    const { startInventoryScheduler } = await import('../inventory/inventory-scheduler.js');
    const inventory = startInventoryScheduler(project, logger);
    // Notifications: run outcomes to webhooks, e-mail and chat; a delivery log with retries.
    const { startNotifications } = await import('../notifications/start-notifications.js');
    const notifications = startNotifications(project, runtime.bus, logger);
    const queued = options.role === 'server' && project.config.executor.kind === 'bullmq';
    const hosts = await project.hosts.list({ limit: 1 });
    out.line(`Minke is serving ${project.config.projectDir} at ${address}`);
    out.line(`web admin: ${address}/   API: ${address}/api   API docs: ${address}/api/docs`);
    out.line(
      `database: ${project.database.description}; ${hosts.total} host(s); models: ${project.models.userModels.map((m) => m.name).join(', ') || 'none'}; sessions: ${queued ? 'queued for minke worker processes' : sessionThread ? 'run in a thread of this process' : 'run in this process'}`,
    );
    out.line(
      `agents: MQTT broker ${agents.brokerUrl}${agents.broker ? ' (embedded)' : ' (external)'}`,
    );
    // Listening for the signals before saying so: a stop sent as soon as the line is read (a
    // script, a supervisor) must find them handled, not end the process by default.
    const stopAsked = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    out.line('press Ctrl-C to stop');
    await stopAsked;
    out.line('stopping');
    await scheduler.close();
    await inventory.close();
    await notifications.close();
    await server.close();
    agentServices.current = undefined;
    await agents.close();
  } finally {
    await runtime.close();
  }
}
