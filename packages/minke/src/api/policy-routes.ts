import {
  complianceQuery,
  complianceSeries,
  hostPolicies as hostPoliciesReply,
  policyCheckBody,
  policyCheckReply,
  policyHistoryPage,
  policyHistoryQuery,
  policyHostPage,
  policyHostsQuery,
  policyInput,
  policyList,
  policySummary,
  remediationBody,
  startedRun,
} from '@minke/contract';
import { requireSuperuser } from '../auth/access.js';
import { NotFoundError } from '../errors.js';
import {
  checkPolicies,
  deletePolicy,
  hostPolicies,
  listPolicies,
  policyCompliance,
  policyHistory,
  policyHosts,
  savePolicy,
} from '../policies/policy-operations.js';
import { notifyStartedFailing } from '../policies/notify-failing.js';
import { remediate } from '../policies/remediate.js';
import { requireHostRight } from './host-right.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, nameParams } from './schemas.js';
import { deleteRoute } from './delete-route.js';

/**
 * Fact policies: list with counts, a policy's hosts, history and compliance chart, a host's
 * policies, check on demand, remediation runs. Reading needs `view_host`; making and deleting
 * policies is for superusers (a policy reads every host's facts).
 */
export const policyRoutes: ApiRoutes = (app, { project, runtime, logger }) => {
  const notFound = { 404: errorReply };

  app.get(
    '/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'Policies with how many hosts pass and fail them',
        response: { 200: policyList },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return listPolicies(project);
    },
  );

  app.put(
    '/policies/:name',
    {
      schema: {
        tags: ['policies'],
        summary: 'Create or replace a policy (not one the project defines)',
        params: nameParams,
        body: policyInput.omit({ name: true }),
        response: { 200: policySummary, ...notFound, 409: errorReply },
      },
    },
    async (request) => {
      requireSuperuser(principalOf(request).access, 'make policies');
      await savePolicy(project, { ...request.body, name: request.params.name });
      const saved = (await listPolicies(project)).items.find((p) => p.name === request.params.name);
      if (!saved) throw new NotFoundError(`policy ${request.params.name} is gone`);
      return saved;
    },
  );

  deleteRoute(
    app,
    '/policies/:name',
    {
      tags: ['policies'],
      summary: 'Delete a policy made through the API, with its history',
      params: nameParams,
      errors: { ...notFound, 409: errorReply },
    },
    async ({ name }, request) => {
      requireSuperuser(principalOf(request).access, 'delete policies');
      await deletePolicy(project, name);
    },
  );

  app.get(
    '/policies/:name/hosts',
    {
      schema: {
        tags: ['policies'],
        summary: "A policy's hosts, failing first, with since when",
        params: nameParams,
        querystring: policyHostsQuery,
        response: { 200: policyHostPage, ...notFound },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return policyHosts(project, request.params.name, request.query);
    },
  );

  app.get(
    '/policies/:name/history',
    {
      schema: {
        tags: ['policies'],
        summary: 'When hosts started passing or failing a policy, newest first',
        params: nameParams,
        querystring: policyHistoryQuery,
        response: { 200: policyHistoryPage, ...notFound },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return policyHistory(project, request.params.name, request.query);
    },
  );

  app.get(
    '/policies/:name/compliance',
    {
      schema: {
        tags: ['policies'],
        summary: 'Passing and failing hosts at the end of each day, and now',
        params: nameParams,
        querystring: complianceQuery,
        response: { 200: complianceSeries, ...notFound },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return policyCompliance(project, request.params.name, request.query.days);
    },
  );

  app.post(
    '/policies/check',
    {
      schema: {
        tags: ['policies'],
        summary: 'Evaluate policies now (one or all, some hosts or all)',
        body: policyCheckBody,
        response: { 200: policyCheckReply, ...notFound },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      const outcome = await checkPolicies(project, request.body ?? {});
      await notifyStartedFailing(project, logger, outcome.changed);
      return outcome;
    },
  );

  app.post(
    '/policies/:name/remediate',
    {
      schema: {
        tags: ['policies'],
        summary: "Run a session on the policy's failing hosts",
        params: nameParams,
        body: remediationBody,
        response: { 201: startedRun, ...notFound },
      },
    },
    async (request, reply) => {
      requireHostRight(request, 'view');
      const started = await remediate(runtime, request.params.name, {
        ...request.body,
        user: principalOf(request).access,
      });
      return reply.code(201).send({
        id: started.runId,
        session: started.session.name,
        model: started.model,
        records: started.records,
      });
    },
  );

  app.get(
    '/hosts/:name/policies',
    {
      schema: {
        tags: ['policies'],
        summary: "A host's standing on every policy that applies to it",
        params: nameParams,
        response: { 200: hostPoliciesReply, ...notFound },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return hostPolicies(project, request.params.name);
    },
  );
};
