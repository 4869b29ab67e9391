import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from './api-context.js';
import { agentRoutes } from './agent-routes.js';
import { addAuditActor } from './audit-actor.js';
import { auditRoutes } from './audit-routes.js';
import { authRoutes } from './auth-routes.js';
import { choiceRoutes } from './choice-routes.js';
import { clearRoutes } from './clear-routes.js';
import { credentialRoutes } from './credential-routes.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { eventRoutes } from './event-routes.js';
import { factRoutes } from './fact-routes.js';
import { factSeriesRoutes } from './fact-series-routes.js';
import { hostKeyRoutes } from './host-key-routes.js';
import { hostLeaseRoutes } from './host-lease-routes.js';
import { hostRoutes } from './host-routes.js';
import { inventoryRoutes } from './inventory-routes.js';
import { jobRoutes } from './job-routes.js';
import { modelRoutes } from './model-routes.js';
import { notificationRoutes } from './notification-routes.js';
import { policyRoutes } from './policy-routes.js';
import { recordRoutes } from './record-routes.js';
import { addRequestAuthentication } from './request-auth.js';
import { rerunRoutes } from './rerun-routes.js';
import { rolloutRoutes } from './rollout-routes.js';
import { runRoutes } from './run-routes.js';
import { sessionRecordRoutes } from './session-record-routes.js';
import { tokenRoutes } from './token-routes.js';
import { userRoutes } from './user-routes.js';
import { zodSerializerCompiler, zodValidatorCompiler, type ZodTypeProvider } from './zod-schema.js';

/**
 * The REST API, registered under `/api`: every route is authenticated (cookie or bearer token)
 * unless it says it is public, validated by its zod schemas (requests and replies, from
 * `@minke/contract`), and thin over the operations.
 */
export const apiPlugin: FastifyPluginAsync<{ context: ApiContext }> = async (app, { context }) => {
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  await app.register(rateLimit, { global: false });
  addAuditActor(app, context.project.database);
  addRequestAuthentication(app, context.auth);
  for (const routes of [
    authRoutes,
    modelRoutes,
    recordRoutes,
    clearRoutes,
    hostLeaseRoutes,
    hostRoutes,
    hostKeyRoutes,
    runRoutes,
    rolloutRoutes,
    notificationRoutes,
    rerunRoutes,
    sessionRecordRoutes,
    eventRoutes,
    userRoutes,
    tokenRoutes,
    credentialRoutes,
    agentRoutes,
    factRoutes,
    factSeriesRoutes,
    auditRoutes,
    jobRoutes,
    dashboardRoutes,
    choiceRoutes,
    policyRoutes,
    inventoryRoutes,
  ]) {
    await app.register((scope, _options, done) => {
      routes(scope.withTypeProvider<ZodTypeProvider>(), context);
      done();
    });
  }
};
