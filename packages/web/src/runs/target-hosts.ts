import type { RaRecord } from 'react-admin';
import { getModel } from '../api/metadata.js';
import { useLoaded } from '../api/use-loaded.js';
import { dataProvider } from '../data/data-provider.js';

/** Steps of a host lookup path; bounded, as a path longer than this is a setup error anyway. */
const MAX_HOPS = 8;

/**
 * The host name of each record, by following its model's host lookup (`host`, `server.host`,
 * `app.server.host`) one reference at a time: one read per hop for all records together.
 * Records of the Host model are their own host. Unknown or unreadable hops leave names out.
 */
export async function hostNamesOf(
  model: string,
  records: readonly RaRecord[],
): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  if (model === 'Host') {
    for (const r of records) names.set(Number(r.id), String(r.name ?? r._label ?? ''));
    return names;
  }
  const meta = await getModel(model);
  const path = meta?.hostLookup.split('.') ?? [];
  // each record id → the id it reaches at the current hop
  let reach = new Map(records.map((r) => [Number(r.id), r] as const));
  let current = meta;
  for (const [hop, field] of path.slice(0, MAX_HOPS).entries()) {
    const spec = current?.fields.find((f) => f.name === field && f.kind === 'ref');
    if (!spec?.model) return names;
    const ids = [...new Set([...reach.values()].map((r) => r[field] as number | null))].filter(
      (id): id is number => typeof id === 'number',
    );
    if (ids.length === 0) return names;
    const { data } = await dataProvider.getMany<RaRecord>(spec.model, { ids });
    const byId = new Map(data.map((r) => [Number(r.id), r] as const));
    const next = new Map<number, RaRecord>();
    for (const [start, record] of reach) {
      const target = byId.get(Number(record[field]));
      if (target) next.set(start, target);
    }
    reach = next;
    if (hop === path.length - 1 && spec.model === 'Host')
      for (const [start, host] of reach) names.set(start, String(host.name ?? host._label ?? ''));
    current = await getModel(spec.model);
  }
  return names;
}

const NO_NAMES: ReadonlyMap<number, string> = new Map();

/** `hostNamesOf` as a hook: empty until read (and when reading failed: labels stay alone). */
export function useHostNames(
  model: string,
  records: readonly RaRecord[],
  enabled: boolean,
): ReadonlyMap<number, string> {
  const key = records.map((r) => r.id).join(',');
  const names = useLoaded(
    enabled && records.length > 0 ? () => hostNamesOf(model, records) : null,
    // the records' ids (the key) say when to read again
    [model, key, enabled],
  );
  return names.value ?? NO_NAMES;
}
