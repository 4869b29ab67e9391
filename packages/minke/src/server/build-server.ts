import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiContext } from '../api/api-context.js';
import type { AgentServicesRef } from '../api/api-context.js';
import { apiPlugin } from '../api/api-plugin.js';
import { apiNotFound, registerErrorHandler } from '../api/error-handler.js';
import { DEFAULT_EVENT_STREAM_OPTIONS, type EventStreamOptions } from '../api/event-stream.js';
import { registerOpenApi } from '../api/openapi.js';
import { RunAccess } from '../api/run-access.js';
import { securityHeaders } from '../api/security-headers.js';
import { findWebRoot, registerWebUi } from '../api/web-ui.js';
import { DEFAULT_LOGIN_RATE_LIMIT, type LoginRateLimit } from '../auth/login-rate-limit.js';
import {
  DEFAULT_LOGIN_SESSION_POLICY,
  type LoginSessionPolicy,
} from '../auth/login-session-store.js';
import { Authenticator } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import type { Runtime } from '../runtime/runtime.js';
import { SessionHistory } from '../runs/history.js';
import { registerMetricsRoute } from './metrics-route.js';
import { serverMetrics } from './server-metrics.js';
import { addCoreChecks, Readiness, registerReadinessRoute } from './readiness.js';
import { logRequests } from './request-log.js';
import { timeRequests } from './request-metrics.js';
import { startAuditRetention } from '../audit/audit-retention.js';

export interface ServerOptions {
  project: Project;
  /** The run store, event bus and executor the API starts, watches and stops runs with. */
  runtime: Runtime;
  logger: Logger;
  /** The built web admin's folder; found beside the package when absent; null: serve none. */
  webRoot?: string | null;
  loginSessions?: Partial<LoginSessionPolicy>;
  loginRateLimit?: Partial<LoginRateLimit>;
  events?: Partial<EventStreamOptions>;
  /** The agent services once they run (dispatch answers 503 without them). */
  agents?: AgentServicesRef;
  /** `/readyz`'s checks; the server adds the database, Redis and the MQTT broker to them. */
  readiness?: Readiness;
}

/**
 * The HTTP server: the REST API under `/api` (OpenAPI at `/api/openapi.json`, docs at
 * `/api/docs`), the event stream, the web admin at `/`, `/healthz`, `/readyz` (database, Redis,
 * MQTT broker) and `/metrics` (Prometheus); one JSON log line per request.
 *
 * @example
 *   const runtime = createRuntime(project, { logger });
 *   const server = await buildServer({ project, runtime, logger });
 *   await server.listen({ host: '127.0.0.1', port: 8000 });
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { project, runtime, logger } = options;
  // Event streams never end by themselves: close() cuts every connection rather than waiting.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const loginSessionPolicy = { ...DEFAULT_LOGIN_SESSION_POLICY, ...options.loginSessions };
  const context: ApiContext = {
    project,
    runtime,
    logger,
    auth: new Authenticator(project, loginSessionPolicy),
    history: new SessionHistory(project.database),
    runAccess: new RunAccess(project.database),
    loginSessionPolicy,
    loginRateLimit: { ...DEFAULT_LOGIN_RATE_LIMIT, ...options.loginRateLimit },
    events: { ...DEFAULT_EVENT_STREAM_OPTIONS, ...options.events },
    openStreams: new Set(),
    agents: options.agents,
  };
  app.addHook('preClose', (done) => {
    for (const stream of [...context.openStreams]) stream.close();
    done();
  });
  // Run events that wait to be handled go out before each request is answered, not after a whole
  // burst of requests (a thousand-host run with 50 pollers: half the events were over 100 ms late).
  if (runtime.executor.takeEvents) {
    const takeEvents = runtime.executor.takeEvents.bind(runtime.executor);
    app.addHook('onRequest', (_request, _reply, done) => {
      takeEvents();
      done();
    });
  }
  const { retentionDays } = project.config.audit;
  if (retentionDays !== undefined) {
    const stopRetention = startAuditRetention(project.database, retentionDays, logger);
    app.addHook('onClose', stopRetention);
  }

  registerErrorHandler(app, logger);
  await app.register(helmet, securityHeaders);
  await app.register(cookie);
  await registerOpenApi(app, packageVersion());

  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  const readiness = options.readiness ?? new Readiness(logger);
  addCoreChecks(readiness, project, app, logger);
  const agentServices = options.agents;
  if (agentServices) {
    // This process runs the agent gateway: not ready until it is connected to the broker.
    readiness.add('mqtt', () =>
      agentServices.current?.gateway.connected
        ? Promise.resolve()
        : Promise.reject(new Error('the agent gateway is not connected to the MQTT broker')),
    );
  }
  registerReadinessRoute(app, readiness, project);
  registerMetricsRoute(app, {
    registry: serverMetrics({ database: project.database, queue: runtime.queue }),
    token: project.config.metrics.token,
  });
  logRequests(app, logger);
  timeRequests(app);

  await app.register(apiPlugin, { context, prefix: '/api' });

  const webRoot = options.webRoot === null ? undefined : (options.webRoot ?? findWebRoot());
  const webFallback = await registerWebUi(app, webRoot);
  app.setNotFoundHandler((request, reply) =>
    request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?')
      ? apiNotFound(request, reply)
      : webFallback(request, reply),
  );
  return app;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
