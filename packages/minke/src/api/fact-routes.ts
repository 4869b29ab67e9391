import {
  factHistoryPage,
  factHistoryQuery,
  factSearchPage,
  factSearchQuery,
  hostFacts as hostFactsReply,
  agentParams,
  nodeFactHistoryPage,
  nodeFacts as nodeFactsReply,
} from '@minke/contract';
import { searchFacts } from '../facts/fact-search.js';
import { hostFactHistory, hostFacts, MAX_HISTORY_OFFSET } from '../facts/host-facts.js';
import { nodeFactHistory, nodeFacts } from '../facts/node-facts.js';
import { requireHostRight } from './host-right.js';
import type { ApiRoutes } from './api-context.js';
import { nameParams } from './schemas.js';

/**
 * Facts: fleet search, a host's (or an agent's, by node name) current facts and their history.
 * All need `view_host`.
 */
export const factRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/facts',
    {
      schema: {
        tags: ['facts'],
        summary: 'Hosts whose facts match a filter, with the matching values',
        querystring: factSearchQuery,
        response: { 200: factSearchPage },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return searchFacts(project, request.query);
    },
  );

  app.get(
    '/hosts/:name/facts',
    {
      schema: {
        tags: ['facts'],
        summary: "A host's current facts, one per plugin",
        params: nameParams,
        response: { 200: hostFactsReply },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return hostFacts(project, request.params.name);
    },
  );

  app.get(
    '/hosts/:name/facts/history',
    {
      schema: {
        tags: ['facts'],
        summary: "The versions of a host's fact (a row per change), newest first, with diffs",
        params: nameParams,
        querystring: factHistoryQuery(MAX_HISTORY_OFFSET),
        response: { 200: factHistoryPage },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return hostFactHistory(project, request.params.name, request.query);
    },
  );

  app.get(
    '/agents/:node/facts',
    {
      schema: {
        tags: ['facts'],
        summary: "An agent's current facts by its node name (also before its host exists)",
        params: agentParams,
        response: { 200: nodeFactsReply },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return nodeFacts(project, request.params.node);
    },
  );

  app.get(
    '/agents/:node/facts/history',
    {
      schema: {
        tags: ['facts'],
        summary: "The versions of an agent's fact by its node name, newest first, with diffs",
        params: agentParams,
        querystring: factHistoryQuery(MAX_HISTORY_OFFSET),
        response: {
          200: nodeFactHistoryPage,
        },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return nodeFactHistory(project, request.params.node, request.query);
    },
  );
};
