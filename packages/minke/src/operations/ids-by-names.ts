import { InputError } from '../errors.js';
import { MAX_PAGE_SIZE } from '../query/paging.js';
import type { Project } from './project.js';
import type { MayView } from './record-labels.js';

/** The ids of the records of `target` called `name` (a ref given by name finds one). */
export type NameLookup = (target: string, name: string) => number[];

/** Names looked up in one query: far below any database's limit on a query's parameters. */
const NAMES_PER_QUERY = 500;

/**
 * Looks up many names at once (an import's refs given by name): a query per model and 500 names,
 * not one per row. A model without a `name` field has no record called anything; a name in a
 * model the reader may not view is refused, since its records are not theirs to find.
 */
export async function idsByNames(
  project: Project,
  wanted: readonly (readonly [target: string, name: string])[],
  mayView: MayView,
): Promise<NameLookup> {
  const byTarget = new Map<string, Set<string>>();
  for (const [target, name] of wanted)
    byTarget.set(target, (byTarget.get(target) ?? new Set()).add(name));
  const found = new Map<string, Map<string, number[]>>();
  for (const [target, names] of byTarget) {
    if (!mayView(target) || !('name' in project.models.get(target).fields)) continue;
    found.set(target, await idsOfNames(project, target, [...names]));
  }
  return (target, name) => {
    if (!mayView(target))
      throw new InputError(
        `you may not view ${target} records: give the ${target}'s id, not its name`,
      );
    return found.get(target)?.get(name) ?? [];
  };
}

async function idsOfNames(
  project: Project,
  target: string,
  names: readonly string[],
): Promise<Map<string, number[]>> {
  const ids = new Map<string, number[]>();
  for (let from = 0; from < names.length; from += NAMES_PER_QUERY) {
    const filter = {
      path: ['name'],
      op: 'in' as const,
      values: names.slice(from, from + NAMES_PER_QUERY),
    };
    // Names need not be unique: read every page (bounded by the count the first one gave).
    for (let offset = 0, total = 1; offset < total;) {
      const page = await project.records.list(target, { filter, limit: MAX_PAGE_SIZE, offset });
      for (const record of page.items) {
        const name = String(record['name']);
        ids.set(name, [...(ids.get(name) ?? []), record.id]);
      }
      if (page.items.length === 0) break;
      offset += page.items.length;
      total = page.total;
    }
  }
  return ids;
}
