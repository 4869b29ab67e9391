import type { ModelDefinition } from '../model/define-model.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Project } from './project.js';
import { recordLabels, recordsById, viewsEverything, type MayView } from './record-labels.js';

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
    const targets = await recordsById(
      project,
      field.model,
      records.map((record) => record[name]),
    );
    labels.set(name, await recordLabels(project, field.model, [...targets.values()], mayView));
  }
  return labels;
}
