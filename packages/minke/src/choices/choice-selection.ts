import type { RecordValues } from '../model/record-codec.js';
import type { Project } from '../operations/project.js';
import type { ChoiceSelection, ChoicesSpec } from './choice-source.js';

/** Fact and model sources never look at the selected records, only at their ids. */
export function readsObjects(specs: readonly ChoicesSpec[]): boolean {
  return specs.some((spec) => spec.kind === 'field' || spec.kind === 'function');
}

/**
 * The selection as choice sources see it: ids and their records (read 500 at a time). With
 * `withObjects` false the records are not read (`objects` is empty): for sources that do not
 * read them (`readsObjects`), reading 1,000 whole records was most of a listing's time.
 */
export async function loadChoiceSelection(
  project: Project,
  model: string,
  ids: readonly number[],
  withObjects = true,
): Promise<ChoiceSelection> {
  const objects: RecordValues[] = [];
  for (let i = 0; withObjects && i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const page = await project.records.list(model, {
      filter: { path: ['id'], op: 'in', values: chunk },
      limit: chunk.length,
    });
    objects.push(...page.items);
  }
  return { model, ids: [...ids], objects };
}
