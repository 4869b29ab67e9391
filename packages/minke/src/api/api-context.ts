import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { LoginRateLimit } from '../auth/login-rate-limit.js';
import type { LoginSessionPolicy } from '../auth/login-session-store.js';
import type { Authenticator } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SessionHistory } from '../runs/history.js';
import type { AgentServices } from '../facts/start-agent-services.js';
import type { EventStreamOptions } from './event-stream.js';
import type { RunAccess } from './run-access.js';
import type { ZodTypeProvider } from './zod-schema.js';

/**
 * The agent services of this process, once they run: `minke start` starts them after the HTTP
 * server listens, so the API holds a reference that is filled in then.
 */
export interface AgentServicesRef {
  current: Pick<AgentServices, 'gateway' | 'signingKey'> | undefined;
}

/** What every API route plugin works with. */
export interface ApiContext {
  project: Project;
  runtime: Runtime;
  logger: Logger;
  auth: Authenticator;
  history: SessionHistory;
  runAccess: RunAccess;
  loginSessionPolicy: LoginSessionPolicy;
  loginRateLimit: LoginRateLimit;
  events: EventStreamOptions;
  /** Closes the event streams still open (the server is stopping). */
  openStreams: Set<{ close(): void }>;
  /** This process's agent services, once they run: dispatch needs them (else 503). */
  agents?: AgentServicesRef | undefined;
}

/** The Fastify instance routes are declared on: zod schemas type their requests. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** The routes of one area of the API, registered in a scope (plugin) of their own. */
export type ApiRoutes = (app: ApiApp, context: ApiContext) => void;
