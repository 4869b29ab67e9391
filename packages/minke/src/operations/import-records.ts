import type { ImportedChange, ImportedRow, RecordImportReply } from '@minke/contract/api/records';
import { requireModelPermission } from '../auth/access.js';
import type { RunUser } from '../auth/run-user.js';
import { InputError } from '../errors.js';
import { parseCsv, type CsvRow } from '../util/parse-csv.js';
import type { ModelDefinition } from '../model/define-model.js';
import type { RecordValues } from '../model/record-codec.js';
import { checkImportColumns, csvRecordValues, refNamesIn } from '../records/csv-record-values.js';
import { typedFieldsOf, type TypedFields } from '../records/typed-values.js';
import { shownValue } from '../util/display-value.js';
import { recordViewsById, type RecordView } from './list-records.js';
import type { Project } from './project.js';
import type { MayView } from './record-labels.js';
import { refLabels, type RefLabels } from './ref-labels.js';
import { addRecord, changeRecord, checkRecord } from './record-writes.js';
import { checkRefIds, checkUnique, type Step } from './import-checks.js';
import { idsByNames, type NameLookup } from './ids-by-names.js';

export interface ImportOptions {
  /** Check every row and say what would change, writing nothing. */
  dryRun: boolean;
  /** Who imports: the model's add and change permissions, a host's connection checks. */
  actor: RunUser;
  /** Which models the actor may view: refs by name, and labels, only into those. */
  mayView: MayView;
}

/** How many bad rows an import names before it stops looking: enough to fix a file in one go. */
export const ROW_ERRORS_NAMED = 10;

/**
 * Records added and changed from CSV, as `export.csv` writes it or a spreadsheet saves it. A row
 * with an `id` changes that record, only in the fields whose values differ; a row without one adds
 * a record. A ref is its target's label, id or name; a host's groups are comma-separated.
 *
 * Every row is read and checked first (types, the model's field checks, a host's rules, ids,
 * refs, unique values, the actor's add and change permissions), and nothing is written unless
 * all pass: bad rows are an `InputError` whose `fields` name each (`line 3` → why, the first
 * ten). Then each row is written through the same operations as the API's record routes, each
 * in the audit log. A write refused all the same (a record changed meanwhile) stops the import
 * there; its error says the line and what was written before it.
 */
export async function importRecordsCsv(
  project: Project,
  modelName: string,
  csv: string,
  options: ImportOptions,
): Promise<RecordImportReply> {
  const model = project.models.get(modelName);
  const fields = typedFieldsOf(model);
  const rows = parseCsv(csv);
  checkImportColumns(Object.keys(rows[0]?.cells ?? {}), fields);
  const steps = await planImport(project, fields, rows, options);
  if (steps.some((step) => 'add' in step)) requireModelPermission(options.actor, 'add', modelName);
  if (steps.some((step) => 'change' in step && Object.keys(step.change).length > 0))
    requireModelPermission(options.actor, 'change', modelName);
  const written = options.dryRun ? steps : await applySteps(project, modelName, steps, options);
  return reportOf(project, model, written, options);
}

/** Every row checked and typed; the records they change and the refs they name read in batches. */
async function planImport(
  project: Project,
  fields: TypedFields,
  rows: readonly CsvRow[],
  options: ImportOptions,
): Promise<Step[]> {
  const ids = rows.map((row) => row.cells['id'] ?? '').filter((id) => /^\d+$/.test(id));
  const existing = new Map(
    (await recordViewsById(project, fields.name, ids.map(Number), null, options.mayView)).map(
      (view) => [view.id, view],
    ),
  );
  const named = await idsByNames(
    project,
    rows.flatMap((row) => refNamesIn(row.cells, fields)),
    options.mayView,
  );
  const steps: Step[] = [];
  const errors = new Map<number, string>();
  for (const { line, cells } of rows) {
    try {
      const step = await stepOf(fields, line, cells, existing, named);
      const part = 'row';
      if ('add' in step)
        await checkRecord(project, fields.name, step.add, 'add', options.actor, part);
      else if (Object.keys(step.change).length > 0)
        await checkRecord(project, fields.name, step.change, 'change', options.actor, part);
      steps.push(step);
    } catch (error) {
      errors.set(line, error instanceof Error ? error.message : String(error));
      if (errors.size >= ROW_ERRORS_NAMED) break;
    }
  }
  if (errors.size < ROW_ERRORS_NAMED) await checkRefIds(project, fields, steps, errors);
  if (errors.size < ROW_ERRORS_NAMED) await checkUnique(project, fields.name, steps, errors);
  if (errors.size > 0) {
    const lines = [...errors.keys()].sort((a, b) => a - b).slice(0, ROW_ERRORS_NAMED);
    const some =
      errors.size >= ROW_ERRORS_NAMED ? `the first ${ROW_ERRORS_NAMED}` : String(errors.size);
    throw new InputError(`nothing imported: ${some} row(s) with errors`, {
      fields: Object.fromEntries(lines.map((line) => [`line ${line}`, errors.get(line) ?? ''])),
    });
  }
  return steps;
}

async function stepOf(
  fields: TypedFields,
  line: number,
  cells: Readonly<Record<string, string>>,
  existing: ReadonlyMap<number, RecordView>,
  named: NameLookup,
): Promise<Step> {
  const values = await csvRecordValues(cells, fields, (target, name) =>
    Promise.resolve(named(target, name)),
  );
  const idText = cells['id'] ?? '';
  // A new record's empty cell is a field not given: its default, or nothing.
  if (idText === '')
    return { line, add: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null)) };
  if (!/^\d+$/.test(idText)) throw new InputError(`id "${idText}" is not a record id`);
  const before = existing.get(Number(idText));
  if (!before) throw new InputError(`${fields.name} ${idText} does not exist`);
  const change = Object.fromEntries(
    Object.entries(values).filter(
      ([field, value]) => JSON.stringify(before[field] ?? null) !== JSON.stringify(value),
    ),
  );
  return { line, before, change };
}

/** Each row written in the file's order; a refusal says its line and what came before it. */
async function applySteps(
  project: Project,
  model: string,
  steps: readonly Step[],
  options: ImportOptions,
): Promise<Step[]> {
  const written: Step[] = [];
  let added = 0;
  let changed = 0;
  for (const step of steps) {
    try {
      if ('add' in step) {
        const id = await addRecord(project, model, step.add, options.actor, 'row');
        written.push({ ...step, id });
        added++;
      } else if (Object.keys(step.change).length > 0) {
        await changeRecord(project, model, step.before.id, step.change, options.actor, 'row');
        written.push(step);
        changed++;
      } else written.push(step);
    } catch (error) {
      // The same error (its code: a refusal, a bad value), saying where and what came before.
      if (!(error instanceof Error)) throw error;
      error.message = `line ${step.line}: ${error.message} (${added} added and ${changed} changed before it)`;
      throw error;
    }
  }
  return written;
}

/** The counts, and a row for each record added or changed, its changes as a person reads them. */
async function reportOf(
  project: Project,
  model: ModelDefinition,
  steps: readonly Step[],
  options: ImportOptions,
): Promise<RecordImportReply> {
  const addedIds = steps.flatMap((step) => ('add' in step && step.id ? [step.id] : []));
  const addedLabels = new Map(
    (await recordViewsById(project, model.name, addedIds, null, options.mayView)).map((view) => [
      view.id,
      view._label,
    ]),
  );
  const changes = steps.filter(
    (step): step is Extract<Step, { change: unknown }> =>
      'change' in step && Object.keys(step.change).length > 0,
  );
  const adds = steps.flatMap((step) => ('add' in step ? [step.add] : []));
  // Labels of what refs point at, as changed and as added: a query a thousand, not one a row.
  const isRef = (field: string) => model.fields[field]?.kind === 'ref';
  const records = [
    ...changes
      .filter((step) => Object.keys(step.change).some(isRef))
      .flatMap((step) => [step.before, { ...step.before, ...step.change }]),
    ...adds,
  ];
  const labels = Object.keys(model.fields).some(isRef)
    ? await refLabels(project, model, records as RecordValues[], options.mayView)
    : (new Map() as RefLabels);
  const rows: ImportedRow[] = steps.flatMap((step): ImportedRow[] => {
    if ('add' in step) {
      const { id } = step;
      const label = id === undefined ? undefined : (addedLabels.get(id) ?? `${model.name} #${id}`);
      return [
        {
          line: step.line,
          outcome: 'added',
          label: label ?? `${model.name} from line ${step.line}`,
          // What the new record holds (empty cells were left out): changes from nothing.
          changes: Object.keys(step.add).map((field) => changeOf(field, {}, step.add, labels)),
        },
      ];
    }
    const fields = Object.keys(step.change);
    if (fields.length === 0) return [];
    return [
      {
        line: step.line,
        outcome: 'changed',
        label: step.before._label,
        changes: fields.map((field) => changeOf(field, step.before, step.change, labels)),
      },
    ];
  });
  const added = rows.filter((row) => row.outcome === 'added').length;
  const changed = rows.length - added;
  return { dryRun: options.dryRun, added, changed, unchanged: steps.length - rows.length, rows };
}

function changeOf(
  field: string,
  before: Readonly<Record<string, unknown>>,
  change: Readonly<Record<string, unknown>>,
  labels: RefLabels,
): ImportedChange {
  const shown = (value: unknown) =>
    (typeof value === 'number' ? labels.get(field)?.get(value) : undefined) ?? shownValue(value);
  return { field, before: shown(before[field]), after: shown(change[field]) };
}
