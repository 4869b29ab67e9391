import { z } from 'zod';
import { hostKey, hostKeysQuery, hostKeyTrustBody } from '@minke/contract';
import { may, mayOnModel } from '../auth/access.js';
import { PermissionDenied } from '../errors.js';
import { HOST_MODEL } from '../model/host-model.js';
import { requireTrustHostKey, TRUST_HOST_KEY } from '../hosts/host-key-permission.js';
import { HostKeyStore } from '../hosts/host-key-store.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { nameParams } from './schemas.js';

/**
 * The fleet's known host keys: list them (users who may view hosts, or trust keys), and trust a
 * key a host offered (trust_host_key; superusers always). Trusting a changed key replaces the old
 * one, which stays as history.
 */
export const hostKeyRoutes: ApiRoutes = (app, { project }) => {
  const store = () => new HostKeyStore(project.database);

  app.get(
    '/host-keys',
    {
      schema: {
        tags: ['hosts'],
        summary: 'List known host keys: pending, trusted and replaced',
        querystring: hostKeysQuery,
        response: { 200: z.array(hostKey) },
      },
    },
    async (request) => {
      const { access } = principalOf(request);
      if (!mayOnModel(access, 'view', HOST_MODEL) && !may(access, TRUST_HOST_KEY))
        throw new PermissionDenied(
          `you may not list host keys: it needs view_host or ${TRUST_HOST_KEY}`,
        );
      return store().list(request.query.host);
    },
  );

  app.post(
    '/hosts/:name/host-key/trust',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Trust the key a host offered (new, or replacing a changed one)',
        params: nameParams,
        body: hostKeyTrustBody,
        response: { 200: hostKey },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireTrustHostKey(principal.access);
      return store().trust(request.params.name, request.body.fingerprint, principal.user.username);
    },
  );
};
