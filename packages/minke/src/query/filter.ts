/**
 * A filter on records, as parsed from `--where` or built by the API. Paths walk through ref
 * fields: `server.host.name`.
 */
export type FilterOp =
  'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains' | 'startswith' | 'in' | 'null' | 'notnull';

export type FilterValue = string | number | boolean | null;

export interface Condition {
  path: string[];
  op: FilterOp;
  value?: FilterValue;
  values?: FilterValue[];
}

export type Filter = { and: Filter[] } | { or: Filter[] } | { not: Filter } | Condition;

export function isCondition(filter: Filter): filter is Condition {
  return 'path' in filter;
}

export function andFilters(...filters: (Filter | undefined)[]): Filter | undefined {
  const present = filters.filter((f): f is Filter => f !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return { and: present };
}
