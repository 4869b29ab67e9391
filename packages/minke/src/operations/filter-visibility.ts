import { mayOnModel } from '../auth/access.js';
import { FACTS_PATH } from '../query/fact-filter.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { ModelRegistry } from '../model/model-registry.js';
import { isCondition, type Filter } from '../query/filter.js';
import type { RunUser } from '../auth/run-user.js';

/**
 * Whether a user may evaluate a filter on `model`: every path walks only through models they may
 * view (a ref into another model needs its `view_*` permission; facts are a host's, so they need
 * `view_host` and every model on the way to the host). A filter that fails this must look like
 * one that matches nothing, so that its answer says nothing about records the user cannot see.
 * Unknown fields are left to the filter compiler: the fields of a model one may view are no
 * secret.
 *
 * @example
 *   filterVisibleTo(user, registry, 'Service', parseWhere('host.facts.os.id = debian'))
 *   // => false for a user with view_service but not view_host
 */
export function filterVisibleTo(
  user: RunUser,
  registry: ModelRegistry,
  model: string,
  filter: Filter | undefined,
): boolean {
  if (filter === undefined) return true;
  if (isCondition(filter)) return pathVisibleTo(user, registry, model, filter.path);
  if ('and' in filter) return filter.and.every((f) => filterVisibleTo(user, registry, model, f));
  if ('or' in filter) return filter.or.every((f) => filterVisibleTo(user, registry, model, f));
  return filterVisibleTo(user, registry, model, filter.not);
}

function pathVisibleTo(
  user: RunUser,
  registry: ModelRegistry,
  start: string,
  path: readonly string[],
): boolean {
  let current = start;
  // Bounded by the path's length: each step either stops or moves one ref further.
  for (const segment of path) {
    if (!mayOnModel(user, 'view', current)) return false;
    const definition = registry.models.get(current);
    const field = definition?.fields[segment];
    if (segment === FACTS_PATH && field === undefined) {
      const onTheWay = registry.hostPath(current).map((step) => step.model.name);
      return [...onTheWay, HOST_MODEL].every((name) => mayOnModel(user, 'view', name));
    }
    if (field?.kind !== 'ref') return true;
    current = field.model;
  }
  return mayOnModel(user, 'view', current);
}
