import { z } from 'zod';
import { requireSuperuser } from '../auth/access.js';
import { clearHostLease, listHostLeases } from '../operations/host-leases.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, protectedErrors } from './schemas.js';

const hostLease = z.object({
  host: z.string(),
  hostId: z.number(),
  owner: z.string().describe('the server or worker process holding it'),
  runId: z.number().nullable(),
  session: z.string().nullable(),
  since: z.string().nullable().describe('when the run holding it started'),
  expiresAt: z.string(),
  expired: z.boolean().describe('its holder stopped renewing it'),
});

/**
 * Host locks as an admin sees them (`minke hosts leases`, `minke hosts unlock`): superusers only,
 * since clearing a lease lets a second run onto a host that may still be in use.
 */
export const hostLeaseRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/hosts/leases',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Host leases (locks): host, owner, run, since, expiry; superusers only',
        querystring: z.object({}),
        response: { 200: z.array(hostLease), ...protectedErrors },
      },
    },
    async (request) => {
      requireSuperuser(principalOf(request).access, 'see host leases');
      return listHostLeases(project.database);
    },
  );

  app.delete(
    '/hosts/:name/lease',
    {
      schema: {
        tags: ['hosts'],
        summary:
          "Clear a host's lease; one that has not expired only with ?force=true (409 otherwise); superusers only",
        params: z.object({ name: z.string() }),
        querystring: z.object({
          force: z
            .enum(['true', 'false'])
            .optional()
            .describe('clear a lease that has not expired (its run may still be working)'),
        }),
        response: { 200: hostLease, ...protectedErrors, 404: errorReply, 409: errorReply },
      },
    },
    async (request) => {
      requireSuperuser(principalOf(request).access, 'clear host leases');
      return clearHostLease(project.database, request.params.name, {
        force: request.query.force === 'true',
      });
    },
  );
};
