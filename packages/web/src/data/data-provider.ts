import type { DataProvider, RaRecord } from 'react-admin';
import { ApiError, api, type Query } from '../api/http.js';
import { getModels } from '../api/metadata.js';
import type { FieldMeta, Page } from '@minke/contract';
import { idsWhere, pageOf, recordListQuery, type ListParams } from './list-query.js';
import { sortedBy } from './natural-sort.js';

/**
 * Resources that are not models: their path, and how a record's id is found. Model resources
 * are named after their model (`Server`, `Host`: PascalCase), so the names never clash.
 */
export const SYSTEM_RESOURCES = {
  runs: { path: '/api/runs', items: true },
  'session-records': { path: '/api/session-records', items: true },
  users: { path: '/api/users', items: true },
  'user-groups': { path: '/api/user-groups', items: false },
  tokens: { path: '/api/tokens', items: false },
  // hosts name their groups, so a group's id here is its name
  'host-groups': { path: '/api/groups', items: false, key: 'name' },
  // hosts name credentials too; the list is all the API shows of them
  credentials: { path: '/api/credentials', items: false, key: 'name' },
  // read-only, paged by the server
  audit: { path: '/api/audit', items: false },
} as const satisfies Record<string, { path: string; items: boolean; key?: string }>;

type SystemResource = keyof typeof SYSTEM_RESOURCES;

function isSystem(resource: string): resource is SystemResource {
  return Object.hasOwn(SYSTEM_RESOURCES, resource);
}

function basePath(resource: string): string {
  return isSystem(resource)
    ? SYSTEM_RESOURCES[resource].path
    : `/api/records/${encodeURIComponent(resource)}`;
}

function itemPath(resource: string, id: RaRecord['id']): string {
  return `${basePath(resource)}/${encodeURIComponent(String(id))}`;
}

/** Gives every record an `id` (host groups are keyed by name). */
function withId<T extends Record<string, unknown>>(resource: string, item: T): T & RaRecord {
  // A keyed resource's own `id` column is not what its routes take (groups go by name).
  const system = isSystem(resource) ? SYSTEM_RESOURCES[resource] : undefined;
  if (system && 'key' in system) return { ...item, id: item[system.key] as RaRecord['id'] };
  return { ...item, id: item.id as RaRecord['id'] };
}

async function fieldsOf(resource: string): Promise<FieldMeta[]> {
  return (await getModels()).find((m) => m.name === resource)?.fields ?? [];
}

/** Filter keys the history takes as ISO-8601 instants (date inputs give local times). */
const INSTANT_KEYS = new Set(['since', 'until']);

/** A system resource's query: its filter keys as they are (the endpoints name them), plus the page. */
export function systemListQuery(params: ListParams): Query {
  const query: Query = {};
  for (const [key, value] of Object.entries(params.filter ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    if (INSTANT_KEYS.has(key)) {
      const date = new Date(value as string);
      if (!Number.isNaN(date.getTime())) query[key] = date.toISOString();
      continue;
    }
    query[key] = Array.isArray(value) ? value.join(',') : (value as string | number | boolean);
  }
  return { ...query, ...pageOf(params.pagination) };
}

/**
 * Either a page or a bare array (small admin lists): sorted (names naturally) and paged here when
 * the server did not.
 */
function toPage<T extends Record<string, unknown>>(
  reply: Page<T> | T[],
  params: ListParams,
): { items: T[]; total: number } {
  if (!Array.isArray(reply)) return { items: reply.items, total: reply.total };
  const { limit, offset = 0 } = pageOf(params.pagination);
  const sorted = sortedBy(reply, params.sort);
  const items = limit === undefined ? sorted : sorted.slice(offset, offset + limit);
  return { items, total: reply.length };
}

async function list(resource: string, params: ListParams) {
  const query = isSystem(resource)
    ? systemListQuery(params)
    : recordListQuery(params, await fieldsOf(resource));
  const reply = await api<Page<Record<string, unknown>> | Record<string, unknown>[]>(
    basePath(resource),
    { query },
  );
  const page = toPage(reply, params);
  return { data: page.items.map((item) => withId(resource, item)), total: page.total };
}

/** Only the fields that changed: a PATCH must not send back what another user just edited. */
export function changedFields(
  data: Record<string, unknown>,
  previous: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'id' || key.startsWith('_')) continue;
    if (!previous || JSON.stringify(previous[key]) !== JSON.stringify(value)) out[key] = value;
  }
  return out;
}

export const dataProvider: DataProvider = {
  async getList(resource, params) {
    return (await list(resource, params)) as never;
  },
  async getOne(resource, params) {
    if (isSystem(resource) && !SYSTEM_RESOURCES[resource].items) {
      const { data } = await list(resource, {});
      const found = data.find((r) => String(r.id) === String(params.id));
      if (!found)
        throw new ApiError(404, 'not_found', `${resource} ${String(params.id)} not found`);
      return { data: found as never };
    }
    const item = await api<Record<string, unknown>>(itemPath(resource, params.id));
    return { data: withId(resource, item) as never };
  },
  async getMany(resource, params) {
    if (isSystem(resource) && !SYSTEM_RESOURCES[resource].items) {
      // small lists without a per-item endpoint: read the list, keep the wanted ones
      const wanted = new Set(params.ids.map(String));
      const { data } = await list(resource, {});
      return { data: data.filter((r) => wanted.has(String(r.id))) as never[] };
    }
    if (isSystem(resource)) {
      const data = await Promise.all(
        params.ids.map(async (id) =>
          withId(resource, await api<Record<string, unknown>>(itemPath(resource, id))),
        ),
      );
      return { data: data as never[] };
    }
    const { data } = await list(resource, {
      filter: { where: idsWhere(params.ids) },
      pagination: { page: 1, perPage: Math.max(1, params.ids.length) },
    });
    return { data: data as never[] };
  },
  async getManyReference(resource, params) {
    const { pagination, sort } = params;
    const filter = { ...(params.filter as Record<string, unknown>), [params.target]: params.id };
    return (await list(resource, { pagination, sort, filter })) as never;
  },
  async create(resource, params) {
    const item = await api<Record<string, unknown>>(basePath(resource), {
      method: 'POST',
      body: params.data,
    });
    return { data: withId(resource, item) as never };
  },
  async update(resource, params) {
    const body = changedFields(
      params.data as Record<string, unknown>,
      params.previousData as Record<string, unknown> | undefined,
    );
    const id: RaRecord['id'] = params.id as RaRecord['id'];
    const item = await api<Record<string, unknown> | undefined>(itemPath(resource, id), {
      method: 'PATCH',
      body,
    });
    return { data: withId(resource, item ?? { ...params.previousData, ...body }) as never };
  },
  async updateMany(resource, params) {
    await Promise.all(
      params.ids.map((id) =>
        api(itemPath(resource, id), { method: 'PATCH', body: params.data as unknown }),
      ),
    );
    return { data: params.ids };
  },
  async delete(resource, params) {
    await api(itemPath(resource, params.id), { method: 'DELETE' });
    return { data: (params.previousData ?? { id: params.id }) as never };
  },
  async deleteMany(resource, params) {
    await Promise.all(
      params.ids.map((id: RaRecord['id']) => api(itemPath(resource, id), { method: 'DELETE' })),
    );
    return { data: params.ids };
  },
};
