import type { Database } from '../store/database.js';
import { columnOf, type ModelRegistry } from './model-registry.js';

export type HostResolution = { hostId: number } | { error: string };

/**
 * Follows each record's host lookup path (`server.host`) to its host, one batched query per step.
 * A record whose path breaks (an empty ref) gets an error of its own; the others still resolve.
 */
export async function resolveHosts(
  database: Database,
  registry: ModelRegistry,
  modelName: string,
  ids: readonly number[],
): Promise<Map<number, HostResolution>> {
  const result = new Map<number, HostResolution>();
  const steps = registry.hostPath(modelName);
  if (steps.length === 0) {
    for (const id of ids) result.set(id, { hostId: id });
    return result;
  }
  // current: record id -> id at the current step of the path
  let current = new Map<number, number>(ids.map((id) => [id, id]));
  for (const step of steps) {
    const field = step.model.fields[step.field];
    if (!field) break;
    const column = columnOf(step.field, field);
    const wanted = [...new Set(current.values())];
    const rows: { id: unknown; next: unknown }[] = [];
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      rows.push(
        ...(await database.db
          .selectFrom(step.model.table)
          .select(['id', `${column} as next`])
          .where('id', 'in', chunk)
          .execute()),
      );
    }
    const nextOf = new Map(
      rows.map((row) => [Number(row.id), row.next === null ? null : Number(row.next)]),
    );
    const advanced = new Map<number, number>();
    for (const [recordId, atId] of current) {
      if (!nextOf.has(atId)) {
        result.set(recordId, { error: `${step.model.name} ${atId} does not exist` });
        continue;
      }
      const next = nextOf.get(atId);
      if (next === null || next === undefined) {
        const where =
          step.model.name === registry.get(modelName).name
            ? ''
            : ` (through ${step.model.name} ${atId})`;
        result.set(recordId, {
          error: `reaches no host: ${step.model.name}.${step.field} is empty${where}`,
        });
        continue;
      }
      advanced.set(recordId, next);
    }
    current = advanced;
  }
  for (const [recordId, hostId] of current) result.set(recordId, { hostId });
  return result;
}
