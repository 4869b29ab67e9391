import { InputError, NotFoundError } from '../errors.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { Project } from '../operations/project.js';

const CHUNK = 500;

/**
 * The record ids a selection names (ids, or host names for Host), checked to exist, in the order
 * given without repeats: what `selectObjects` answers for `ids`, with the same messages, but in
 * one query per 500 ids instead of one per object (a 1,000-host selection was 1,000 queries).
 */
export async function selectedIds(
  project: Project,
  model: string,
  given: readonly (number | string)[],
): Promise<number[]> {
  const numeric: number[] = [];
  const names: string[] = [];
  for (const value of given) {
    if (typeof value === 'number' || /^\d+$/.test(value)) numeric.push(Number(value));
    else if (model === HOST_MODEL) names.push(value);
  }
  const existing = new Set<number>();
  for (let i = 0; i < numeric.length; i += CHUNK) {
    const chunk = numeric.slice(i, i + CHUNK);
    const filter = { path: ['id'], op: 'in' as const, values: chunk };
    for (const id of await project.records.ids(model, { filter })) existing.add(id);
  }
  const byName = new Map<string, number>();
  for (const { id, value } of await project.records.idsWhereIn(HOST_MODEL, 'name', names))
    byName.set(String(value), id);
  // Checked in the order given, so the first bad one is named, as one query per id would.
  const modelName = project.models.get(model).name;
  const ids: number[] = [];
  for (const value of given) {
    if (typeof value === 'number' || /^\d+$/.test(value)) {
      const id = Number(value);
      if (!existing.has(id)) throw new NotFoundError(`${modelName} ${id} does not exist`);
      ids.push(id);
    } else if (model !== HOST_MODEL) {
      throw new InputError(`"${value}" is not a record id of ${model}`);
    } else {
      const id = byName.get(value);
      if (id === undefined) throw new NotFoundError(`host ${value} does not exist`);
      ids.push(id);
    }
  }
  return [...new Set(ids)];
}
