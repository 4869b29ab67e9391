import type { FastifyRequest } from 'fastify';
import { requireModelPermission, type ModelAction } from '../auth/access.js';
import { HOST_MODEL } from '../model/host-model.js';
import { principalOf } from './request-auth.js';

/**
 * Throws unless the caller holds the Host model's permission for `action`. Hosts, their facts,
 * agents, policies' per-host views and inventory sources all name hosts, so they all ask this.
 */
export function requireHostRight(request: FastifyRequest, action: ModelAction): void {
  requireModelPermission(principalOf(request).access, action, HOST_MODEL);
}
