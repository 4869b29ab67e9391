import {
  agentEnrollBody,
  agentEnrollment,
  agentItem,
  agentPage,
  agentParams,
  agentsQuery,
  dispatchBody,
  dispatchParams,
  dispatchReply,
  requestStatus,
} from '@minke/contract';
import { requireSuperuser } from '../auth/access.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import { listAgents } from '../facts/agent-list.js';
import { AgentStore } from '../facts/agent-store.js';
import { dispatch } from '../facts/dispatch.js';
import { RequestStore } from '../facts/request-store.js';
import { requireHostRight } from './host-right.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply } from './schemas.js';

/**
 * Agents (online or not, their plugins and refused plugin files) and dispatch: viewing needs
 * `view_host`, dispatching `change_host` (it makes agents on hosts run something).
 */
export const agentRoutes: ApiRoutes = (app, { project, agents: services }) => {
  app.get(
    '/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Agents by node name, with online/offline, last seen, plugins, rejected files',
        querystring: agentsQuery,
        response: { 200: agentPage },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return listAgents(project, request.query);
    },
  );

  app.get(
    '/agents/:node',
    {
      schema: {
        tags: ['agents'],
        summary: 'One agent',
        params: agentParams,
        response: { 200: agentItem },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return new AgentStore(project).get(request.params.node);
    },
  );

  app.post(
    '/agents/:node/enroll',
    {
      schema: {
        tags: ['agents'],
        summary:
          "Enrol a node's agent (superusers): a new broker password, in this reply only; enrolling again revokes the old one",
        params: agentParams,
        body: agentEnrollBody,
        response: { 201: agentEnrollment },
      },
    },
    async (request, reply) => {
      // It hands out a broker credential that reports facts under the node's name.
      requireSuperuser(principalOf(request).access, 'enrol agents');
      const { prepareEnrolment, enrollmentReply } = await import('../facts/enroll-agent.js');
      const enrolment = await prepareEnrolment(project, {
        node: request.params.node,
        brokerUrl: request.body.brokerUrl,
        spoolBase: request.body.spoolBase,
      });
      // The password is in the body: no cache along the way may keep it.
      return reply.code(201).header('cache-control', 'no-store').send(enrollmentReply(enrolment));
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
          202: dispatchReply,
          404: errorReply,
          503: errorReply,
        },
      },
    },
    async (request, reply) => {
      requireHostRight(request, 'change');
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
        params: dispatchParams,
        response: { 200: requestStatus },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      const status = await new RequestStore(project.database).status(request.params.id);
      if (!status) throw new NotFoundError(`request ${request.params.id} does not exist`);
      return status;
    },
  );
};
