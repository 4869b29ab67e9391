import type { FieldMeta } from '@minke/contract';
import type { Query } from '../api/http.js';
import { and, condition } from './where.js';

/** The parts of react-admin's getList parameters this mapping reads. */
export interface ListParams {
  pagination?: { page: number; perPage: number } | false;
  sort?: { field: string; order: string };
  filter?: Record<string, unknown>;
}

/** Filter keys with a meaning of their own rather than "this field". */
export const SEARCH_KEY = 'q';
export const LAST_STATUS_KEY = 'lastStatus';
export const WHERE_KEY = 'where';

/**
 * Maps react-admin's list parameters to `GET /api/records/:model`: `q` is the free-text search,
 * `lastStatus` the last session's result, `where` a hand-written expression, every other key a
 * condition on that field; sort becomes `order`, the page `limit`/`offset`.
 */
export function recordListQuery(params: ListParams, fields: readonly FieldMeta[] = []): Query {
  const query: Query = {};
  const filter = params.filter ?? {};
  const conditions: (string | undefined)[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === SEARCH_KEY) query.search = typeof value === 'string' ? value.trim() : undefined;
    else if (key === LAST_STATUS_KEY)
      query.lastStatus = Array.isArray(value) ? value.join(',') : (value as string | undefined);
    else if (key === WHERE_KEY) conditions.push(typeof value === 'string' ? value : undefined);
    else conditions.push(condition(key, value, fields));
  }
  query.where = and(...conditions);
  const order = orderOf(params.sort, fields);
  if (order) query.order = order;
  Object.assign(query, pageOf(params.pagination));
  return query;
}

/** `name` or `-name`; the label column sorts by id, columns that are not fields do not sort. */
export function orderOf(
  sort: ListParams['sort'],
  fields: readonly FieldMeta[] = [],
): string | undefined {
  if (!sort?.field) return undefined;
  const field =
    sort.field === 'id' || fields.some((f) => f.name === sort.field && f.kind !== 'groups')
      ? sort.field
      : undefined;
  if (!field) return undefined;
  return sort.order === 'DESC' ? `-${field}` : field;
}

export function pageOf(pagination: ListParams['pagination']): { limit?: number; offset?: number } {
  if (!pagination) return {};
  const perPage = Math.max(1, pagination.perPage);
  return { limit: perPage, offset: Math.max(0, pagination.page - 1) * perPage };
}

/** `id in (1, 2, 3)`: getMany and getManyReference through the list endpoint. */
export function idsWhere(ids: readonly (string | number)[]): string {
  return condition('id', ids.map(Number)) ?? 'id in ()';
}
