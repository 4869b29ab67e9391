import type { RecordValues } from '../model/record-codec.js';
import type { Project } from '../operations/project.js';
import type { ChoiceSelection } from './choice-source.js';

/** The selection as choice sources see it: ids and their records (read 500 at a time). */
export async function loadChoiceSelection(
  project: Project,
  model: string,
  ids: readonly number[],
): Promise<ChoiceSelection> {
  const objects: RecordValues[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const page = await project.records.list(model, {
      filter: { path: ['id'], op: 'in', values: chunk },
      limit: chunk.length,
    });
    objects.push(...page.items);
  }
  return { model, ids: [...ids], objects };
}
