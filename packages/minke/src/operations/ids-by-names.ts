import { InputError } from '../errors.js';
import type { Project } from './project.js';
import type { MayView } from './record-labels.js';

/** The ids of the records of `target` called `name` (a ref given by name finds one). */
export type NameLookup = (target: string, name: string) => number[];

/**
 * Looks up many names at once (an import's refs given by name): one query per model on
 * PostgreSQL, one per 500 names on SQLite, not one per row. A model without a `name` field has no record called anything; a name in a
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
  for (const { id, value } of await project.records.idsWhereIn(target, 'name', names))
    ids.set(String(value), [...(ids.get(String(value)) ?? []), id]);
  return ids;
}
