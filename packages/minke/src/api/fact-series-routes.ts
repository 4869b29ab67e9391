import {
  factChangesPage,
  factChangesQuery,
  factDistribution as factDistributionReply,
  factDistributionQuery,
  factSeries as factSeriesReply,
  factSeriesQuery,
} from '@minke/contract';
import { factChanges } from '../facts/fact-changes.js';
import { factDistribution } from '../facts/fact-distribution.js';
import { factSeries } from '../facts/fact-series.js';
import { requireHostRight } from './host-right.js';
import type { ApiRoutes } from './api-context.js';
import { errorReply } from './schemas.js';

/**
 * Facts over time: a numeric fact path's values per host, the hosts that changed a value in
 * the last days, and how the fleet's current values spread. They read every host's facts and
 * name hosts, so, like the other fact routes, they need `view_host`.
 */
export const factSeriesRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/facts/series',
    {
      schema: {
        tags: ['facts'],
        summary: "A numeric fact path's values per host over time, from the fact history",
        querystring: factSeriesQuery,
        response: { 200: factSeriesReply, 404: errorReply },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return factSeries(project, request.query);
    },
  );

  app.get(
    '/facts/changes',
    {
      schema: {
        tags: ['facts'],
        summary: 'The hosts whose value at a fact path changed in the last days, newest first',
        querystring: factChangesQuery,
        response: { 200: factChangesPage },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return factChanges(project, request.query);
    },
  );

  app.get(
    '/facts/distribution',
    {
      schema: {
        tags: ['facts'],
        summary:
          "How many hosts hold each current value of a fact path (the commonest, then 'other')",
        querystring: factDistributionQuery,
        response: { 200: factDistributionReply },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return factDistribution(project, request.query);
    },
  );
};
