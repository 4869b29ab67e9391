import type { ModelDefinition } from '../model/define-model.js';
import { HOST_MODEL } from '../model/host-model.js';
import { MAX_PAGE_SIZE } from '../query/paging.js';
import { displayValue } from '../util/display-value.js';
import { listRecordRows, type RecordListQuery, type RecordRow } from './list-records.js';
import type { Project } from './project.js';
import type { MayView } from './record-labels.js';
import { refLabels, type RefLabels } from './ref-labels.js';

/** What an export is about to write: how many records match, then the text piece by piece. */
export interface RecordsCsv {
  total: number;
  /** The header line, then a thousand records a piece. */
  text: AsyncIterable<string>;
}

export interface RecordExportOptions {
  /** Whether the reader may view a model's records: refs to one they may not keep their ids. */
  mayView: MayView;
}

/** The columns every export ends with, after the model's own fields. */
const TIMESTAMPS = ['created_at', 'updated_at'] as const;

/**
 * Every record of a model that the query matches, as CSV for a spreadsheet or a script: `id`,
 * then the model's fields in order (a host's groups after its name), then when each was made and
 * last changed. A ref holds what it points at as lists name it (a host by its name); JSON holds
 * JSON. Read a thousand records at a time, so a large model is never held whole.
 *
 * The first page is read before this returns, so a filter or an order that does not parse is
 * an error here and not a cut-off download.
 */
export async function exportRecordsCsv(
  project: Project,
  modelName: string,
  query: Omit<RecordListQuery, 'limit' | 'offset'>,
  options: RecordExportOptions,
): Promise<RecordsCsv> {
  const model = project.models.get(modelName);
  const { stringify } = await import('csv-stringify/sync');
  const columns = columnsOf(model);
  const first = await listRecordRows(project, modelName, {
    ...query,
    mayView: options.mayView,
    limit: MAX_PAGE_SIZE,
  });
  const total = first.total;

  async function* text(): AsyncGenerator<string> {
    yield stringify([columns]);
    let page = first;
    // Bounded by the count the first page read: records added meanwhile do not stretch it.
    for (let offset = 0; offset < total && page.items.length > 0;) {
      const labels = await refLabels(project, model, page.items, options.mayView);
      const rows = page.items.map((record) => columns.map((c) => cellOf(model, record, c, labels)));
      yield stringify(rows);
      offset += page.items.length;
      if (offset >= total) break;
      page = await listRecordRows(project, modelName, {
        ...query,
        mayView: options.mayView,
        limit: MAX_PAGE_SIZE,
        offset,
      });
    }
  }
  return { total, text: text() };
}

/** `id`, the fields in the model's order (a host's groups after its name), the timestamps. */
function columnsOf(model: ModelDefinition): string[] {
  const fields = Object.keys(model.fields);
  if (model.name === HOST_MODEL) fields.splice(fields.indexOf('name') + 1, 0, 'groups');
  return ['id', ...fields, ...TIMESTAMPS];
}

function cellOf(
  model: ModelDefinition,
  record: RecordRow,
  column: string,
  labels: RefLabels,
): string {
  const value = record[column];
  if (value === null || value === undefined) return '';
  if (column === 'groups' && Array.isArray(value)) return guarded(value.join(', '));
  const field = model.fields[column];
  if (field?.kind === 'ref' && typeof value === 'number') {
    return guarded(labels.get(column)?.get(value) ?? String(value));
  }
  if (field?.kind === 'json') return JSON.stringify(value);
  if (typeof value === 'string') return guarded(value);
  return displayValue(value);
}

/**
 * Text a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
 * first) starts with `'`, so opening an export never runs what a record or an agent wrote.
 */
export function guarded(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
