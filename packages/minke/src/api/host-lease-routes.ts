import { z } from 'zod';
import { hostLease, hostLeaseClearQuery } from '@minke/contract';
import { requireSuperuser } from '../auth/access.js';
import { clearHostLease, listHostLeases } from '../operations/host-leases.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, nameParams } from './schemas.js';

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
        response: { 200: z.array(hostLease) },
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
        params: nameParams,
        querystring: hostLeaseClearQuery,
        response: { 200: hostLease, 409: errorReply },
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
