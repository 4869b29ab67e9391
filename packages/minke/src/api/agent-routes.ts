import { z } from 'zod';
import { requireModelPermission } from '../auth/access.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import { listAgents } from '../facts/agent-list.js';
import { AgentStore } from '../facts/agent-store.js';
import { dispatch } from '../facts/dispatch.js';
import { RequestLedger } from '../facts/request-ledger.js';
import type { AgentServices } from '../facts/start-agent-services.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, paging, protectedErrors } from './schemas.js';

/**
 * The agent services of this process, once they run: `minke start` starts them after the HTTP
 * server listens, so the API holds a reference that is filled in then.
 */
export interface AgentServicesRef {
  current: Pick<AgentServices, 'gateway' | 'signingKey'> | undefined;
}

const pluginInfo = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    commandAlias: z.string().optional().describe("the plugin file's command_alias, for people"),
  })
  .loose();
const agentReply = z.object({
  id: z.number(),
  node: z.string(),
  hostId: z.number().nullable(),
  hostName: z.string().nullable(),
  enrolled: z.boolean(),
  enrolledAt: z.string().nullable(),
  lastSeen: z.string().nullable(),
  online: z.boolean(),
  agentVersion: z.string().nullable(),
  plugins: z.array(pluginInfo).describe('the plugins the agent authorizes'),
  rejected: z
    .array(z.object({ file: z.string(), reason: z.string() }).loose())
    .describe('plugin files the agent refused, with the reason'),
  lastRefusal: z
    .object({ reason: z.string(), at: z.string() })
    .nullable()
    .describe(
      'the last result the server refused from this agent (too large, too frequent, not asked for)',
    ),
});
const agentPage = z.object({
  items: z.array(agentReply),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
  fleet: z.object({ total: z.number(), online: z.number() }).describe('the whole fleet'),
});

const dispatchBody = z
  .object({
    plugin: z.string().min(1).describe('the plugin to run, as the agents name it'),
    nodes: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('node names (host names of hosts with an agent work too)'),
    all: z.literal(true).optional().describe('every agent: one broadcast'),
    where: z
      .string()
      .min(1)
      .optional()
      .describe('the agents of the hosts that match, as in `minke dispatch --where`'),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .optional()
      .describe('how long offline nodes may still get it (default 3600)'),
  })
  .strict()
  .describe('exactly one of nodes, all, where');
const dispatched = z.object({
  id: z.string(),
  plugin: z.string(),
  nodes: z.array(z.string()),
  skipped: z.array(z.string()).describe('matching hosts without an agent'),
  expiresAt: z.string(),
});
const requestStatus = z.object({
  id: z.string(),
  plugin: z.string(),
  selection: z.record(z.string(), z.unknown()),
  state: z.enum(['open', 'done']),
  createdAt: z.string(),
  expiresAt: z.string(),
  createdBy: z.string().nullable(),
  targets: z.array(
    z.object({
      node: z.string(),
      state: z.enum(['pending', 'delivered', 'answered', 'failed', 'expired']),
      error: z.string().nullable(),
      resultId: z.string().nullable(),
      answeredAt: z.string().nullable(),
    }),
  ),
});

/**
 * Agents (online or not, their plugins and refused plugin files) and dispatch: viewing needs
 * `view_host`, dispatching `change_host` (it makes agents on hosts run something).
 */
export const agentRoutes: ApiRoutes = (app, { project, agents: services }) => {
  const may = (request: Parameters<typeof principalOf>[0], action: 'view' | 'change') =>
    requireModelPermission(principalOf(request).access, action, HOST_MODEL);

  app.get(
    '/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Agents by node name, with online/offline, last seen, plugins, rejected files',
        querystring: z.object({
          online: z
            .enum(['true', 'false'])
            .optional()
            .transform((value) => (value === undefined ? undefined : value === 'true'))
            .describe('only online (true) or offline (false) agents'),
          search: z.string().optional().describe('part of the node or host name'),
          ...paging,
        }),
        response: { 200: agentPage, ...protectedErrors, 400: errorReply },
      },
    },
    async (request) => {
      may(request, 'view');
      return listAgents(project, request.query);
    },
  );

  app.get(
    '/agents/:node',
    {
      schema: {
        tags: ['agents'],
        summary: 'One agent',
        params: z.object({ node: z.string() }),
        response: { 200: agentReply, ...protectedErrors, 404: errorReply },
      },
    },
    async (request) => {
      may(request, 'view');
      return new AgentStore(project).get(request.params.node);
    },
  );

  app.post(
    '/dispatch',
    {
      schema: {
        tags: ['agents'],
        summary: 'Ask agents to run a plugin (needs change_host); offline nodes get it on return',
        body: dispatchBody,
        response: {
          202: dispatched,
          ...protectedErrors,
          400: errorReply,
          404: errorReply,
          503: errorReply,
        },
      },
    },
    async (request, reply) => {
      may(request, 'change');
      const running = services?.current;
      if (!running) {
        throw new UnavailableError(
          'the agent services are not running in this server, so no request would be delivered: serve with `minke start` or `minke serve`',
        );
      }
      const { plugin, nodes, all, where, ttlSeconds } = request.body;
      const created = await dispatch(
        { project, signingKey: running.signingKey, gateway: running.gateway },
        {
          plugin,
          nodes,
          all,
          where,
          ttlMs: ttlSeconds === undefined ? undefined : ttlSeconds * 1000,
          createdBy: principalOf(request).user.username,
        },
      );
      return reply.code(202).send(created);
    },
  );

  app.get(
    '/dispatch/:id',
    {
      schema: {
        tags: ['agents'],
        summary: 'A dispatched request: each node with pending, delivered, answered, failed…',
        params: z.object({ id: z.string() }),
        response: { 200: requestStatus, ...protectedErrors, 404: errorReply },
      },
    },
    async (request) => {
      may(request, 'view');
      const status = await new RequestLedger(project.database).status(request.params.id);
      if (!status) throw new NotFoundError(`request ${request.params.id} does not exist`);
      return status;
    },
  );
};
