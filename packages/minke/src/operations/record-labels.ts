import type { ModelDefinition } from '../model/define-model.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { RecordValues } from '../model/record-codec.js';
import { MAX_PAGE_SIZE } from '../query/paging.js';
import { displayValue } from '../util/display-value.js';
import type { Project } from './project.js';

/** Whether the reader may view a model's records (the user's view permission). */
export type MayView = (model: string) => boolean;

/** The project's operator, and the server itself: every model. */
export const viewsEverything: MayView = () => true;

/**
 * How records are named in lists, refs and history: the model's display fields, or `Model #id`.
 * A display entry may follow refs (`host.name`: a server named by its host): one query per step
 * and thousand records. A step into a model the reader may not view leaves that part out, so a
 * label never tells more than the reader may see (a host's name to a user without `view_host`).
 */
export async function recordLabels(
  project: Project,
  modelName: string,
  records: readonly RecordValues[],
  mayView: MayView = viewsEverything,
): Promise<Map<number, string>> {
  const labels = new Map<number, string>();
  if (modelName === HOST_MODEL) {
    for (const record of records) labels.set(record.id, displayValue(record['name']));
    return labels;
  }
  const model = project.models.get(modelName);
  const columns = await Promise.all(
    model.display.map((entry) => displayed(project, model, entry, records, mayView)),
  );
  for (const record of records) {
    const parts = columns
      .map((column) => column.get(record.id))
      .filter((value) => value !== null && value !== undefined && value !== '')
      .map(displayValue);
    labels.set(
      record.id,
      parts.length > 0
        ? `${parts.join(' ')} (${modelName} #${record.id})`
        : `${modelName} #${record.id}`,
    );
  }
  return labels;
}

/** One display entry's value per record: the field's own, or at the end of a ref path. */
async function displayed(
  project: Project,
  model: ModelDefinition,
  entry: string,
  records: readonly RecordValues[],
  mayView: MayView,
): Promise<Map<number, unknown>> {
  const [first = '', ...rest] = entry.split('.');
  const byRecord = new Map<number, unknown>(records.map((r) => [r.id, r[first]]));
  let here = model;
  let field = first;
  for (const next of rest) {
    const ref = here.fields[field];
    if (ref?.kind !== 'ref' || !mayView(ref.model)) return new Map();
    const targets = await recordsById(project, ref.model, [...byRecord.values()]);
    for (const [id, targetId] of byRecord)
      byRecord.set(id, typeof targetId === 'number' ? targets.get(targetId)?.[next] : undefined);
    here = project.models.get(ref.model);
    field = next;
  }
  return byRecord;
}

/** The records of `model` whose ids are among `values` (the rest are passed over). */
export async function recordsById(
  project: Project,
  model: string,
  values: readonly unknown[],
): Promise<Map<number, RecordValues>> {
  const ids = [...new Set(values.filter((v): v is number => typeof v === 'number'))];
  const found = new Map<number, RecordValues>();
  for (let from = 0; from < ids.length; from += MAX_PAGE_SIZE) {
    const some = ids.slice(from, from + MAX_PAGE_SIZE);
    const page = await project.records.list(model, {
      filter: { path: ['id'], op: 'in', values: some },
      limit: some.length,
    });
    for (const record of page.items) found.set(record.id, record);
  }
  return found;
}
