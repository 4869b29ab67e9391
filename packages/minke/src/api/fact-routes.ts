import { RESULT_FORMATS } from '@minke/protocol';
import { z } from 'zod';
import { requireModelPermission } from '../auth/access.js';
import { searchFacts } from '../facts/fact-search.js';
import { hostFactHistory, hostFacts, MAX_HISTORY_OFFSET } from '../facts/host-facts.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, paging, protectedErrors } from './schemas.js';

const fact = z.object({
  node: z.string(),
  plugin: z.string(),
  format: z.enum(RESULT_FORMATS),
  value: z.unknown().describe('parsed by the plugin’s result format'),
  collectedAt: z.string(),
  requestId: z.string().nullable().describe('null: reported on the agent’s own schedule'),
  resultId: z.string(),
});
const change = z.object({
  path: z.array(z.string()),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
const hostFactsReply = z.object({
  host: z.string(),
  agent: z
    .object({ node: z.string(), online: z.boolean(), lastSeen: z.string().nullable() })
    .nullable()
    .describe('null: no agent on this host'),
  facts: z.array(fact),
});
const historyReply = z.object({
  host: z.string(),
  plugin: z.string(),
  node: z.string().nullable(),
  items: z.array(
    fact.extend({
      changes: z
        .array(change)
        .nullable()
        .describe('against the version before it; null for the first one'),
    }),
  ),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});
const searchReply = z.object({
  paths: z.array(z.string()).describe('the fact paths the filter names'),
  items: z.array(
    z.object({
      hostId: z.number(),
      host: z.string(),
      node: z.string().nullable(),
      online: z.boolean().nullable(),
      values: z.record(z.string(), z.unknown()).describe('by path; null where the host has none'),
    }),
  ),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});
const nameParams = z.object({ name: z.string() });

/** Facts: fleet search, a host's current facts and their history. All need `view_host`. */
export const factRoutes: ApiRoutes = (app, { project }) => {
  const mayView = (request: Parameters<typeof principalOf>[0]) =>
    requireModelPermission(principalOf(request).access, 'view', HOST_MODEL);

  app.get(
    '/facts',
    {
      schema: {
        tags: ['facts'],
        summary: 'Hosts whose facts match a filter, with the matching values',
        querystring: z.object({
          where: z
            .string()
            .describe(
              'as `minke run --where`: facts.os.release = "12", facts.os exists, facts.packages ~ nginx, facts.cpu.count >= 4',
            ),
          ...paging,
        }),
        response: { 200: searchReply, ...protectedErrors, 400: errorReply },
      },
    },
    async (request) => {
      mayView(request);
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
        response: { 200: hostFactsReply, ...protectedErrors, 404: errorReply },
      },
    },
    async (request) => {
      mayView(request);
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
        querystring: z.object({
          plugin: z.string(),
          limit: paging.limit,
          offset: z.coerce.number().int().min(0).max(MAX_HISTORY_OFFSET).optional(),
        }),
        response: { 200: historyReply, ...protectedErrors, 400: errorReply, 404: errorReply },
      },
    },
    async (request) => {
      mayView(request);
      return hostFactHistory(project, request.params.name, request.query);
    },
  );
};
