import type { ModelDefinition } from '../model/define-model.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Project } from './project.js';
import { objectLabel } from './object-label.js';

/** Labels of the records a page refers to: ref field → referenced id → label. */
export type RefLabels = Map<string, Map<number, string>>;

/**
 * What a page's ref fields point at, named as lists name objects (a host by its name, a server
 * by its display fields): one query per ref field, however long the page.
 */
export async function refLabels(
  project: Project,
  model: ModelDefinition,
  records: readonly RecordValues[],
): Promise<RefLabels> {
  const labels: RefLabels = new Map();
  for (const [name, field] of Object.entries(model.fields)) {
    if (field.kind !== 'ref') continue;
    const ids = [
      ...new Set(records.map((r) => r[name]).filter((v): v is number => typeof v === 'number')),
    ];
    const byId = new Map<number, string>();
    if (ids.length > 0) {
      const page = await project.records.list(field.model, {
        filter: { path: ['id'], op: 'in', values: ids },
        limit: ids.length,
      });
      for (const target of page.items)
        byId.set(target.id, objectLabel(project, field.model, target));
    }
    labels.set(name, byId);
  }
  return labels;
}
