import type { ModelDefinition } from '../model/define-model.js';
import type { RecordValues } from '../model/record-codec.js';
import { MAX_PAGE_SIZE } from '../query/paging.js';
import type { Project } from './project.js';
import { recordLabels, viewsEverything, type MayView } from './record-labels.js';

/** Labels of the records a page refers to: ref field → referenced id → label. */
export type RefLabels = Map<string, Map<number, string>>;

/**
 * What a page's ref fields point at, named as lists name objects (a host by its name, a server
 * by its display fields): a query per ref field and list page's worth of ids (a thousand). A ref
 * to a model the reader may not view gets no labels: it keeps its id.
 */
export async function refLabels(
  project: Project,
  model: ModelDefinition,
  records: readonly RecordValues[],
  mayView: MayView = viewsEverything,
): Promise<RefLabels> {
  const labels: RefLabels = new Map();
  for (const [name, field] of Object.entries(model.fields)) {
    if (field.kind !== 'ref' || !mayView(field.model)) continue;
    const ids = [
      ...new Set(records.map((r) => r[name]).filter((v): v is number => typeof v === 'number')),
    ];
    const byId = new Map<number, string>();
    for (let from = 0; from < ids.length; from += MAX_PAGE_SIZE) {
      const some = ids.slice(from, from + MAX_PAGE_SIZE);
      const page = await project.records.list(field.model, {
        filter: { path: ['id'], op: 'in', values: some },
        limit: some.length,
      });
      for (const [id, label] of await recordLabels(project, field.model, page.items, mayView))
        byId.set(id, label);
    }
    labels.set(name, byId);
  }
  return labels;
}
