import type { Project } from './project.js';
import type { RecordView } from './list-records.js';
import { recordsById } from './record-labels.js';
import type { TypedFields } from '../records/typed-values.js';
import { shownValue } from '../util/display-value.js';

// The checks of an import's rows that read the database in bulk, after each row is typed: refs
// given by id exist, unique values are free. Each adds its finding to `errors` (line → why), one
// per line: a query per ref or unique field, not one a row.

/** What one row does: add a record, or change (or leave) the one its id names. */
export type Step =
  /** `id`: the record the row added, once it is written. */
  | { line: number; add: Record<string, unknown>; id?: number }
  | { line: number; before: RecordView; change: Record<string, unknown> };

/** What a row sets a field to: a new record's value, or the change it makes. */
function givenIn(step: Step, field: string): unknown {
  return ('add' in step ? step.add : step.change)[field];
}

/** Kinds of unique fields whose values a query can look up (text, or a whole number). */
const LOOKED_UP = new Set(['text', 'enum', 'int', 'ref']);

/**
 * A unique field's value is given once in the file and held by no other record: found here, not
 * by the write of row 500 after 499 are written. A query per unique field.
 */
export async function checkUnique(
  project: Project,
  modelName: string,
  steps: readonly Step[],
  errors: Map<number, string>,
): Promise<void> {
  const model = project.models.get(modelName);
  for (const [field, definition] of Object.entries(model.fields)) {
    if (!definition.unique || !LOOKED_UP.has(definition.kind)) continue;
    const lineOf = new Map<string | number, number>();
    for (const step of steps) {
      const value = givenIn(step, field);
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const first = lineOf.get(value);
      if (first === undefined) lineOf.set(value, step.line);
      else if (!errors.has(step.line))
        errors.set(
          step.line,
          `${field}: line ${first} gives ${shownValue(value)} too, and it is unique`,
        );
    }
    const taken = new Map(
      (await project.records.idsWhereIn(modelName, field, [...lineOf.keys()])).map(
        ({ id, value }) => [value, id],
      ),
    );
    for (const step of steps) {
      const value = givenIn(step, field);
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const holder = taken.get(value);
      const itself = 'before' in step && step.before.id === holder;
      if (holder !== undefined && !itself && !errors.has(step.line))
        errors.set(
          step.line,
          `${field}: ${model.name} #${holder} already has ${shownValue(value)}`,
        );
    }
  }
}

/** Refs given by id point at records that exist: a query per ref field and thousand ids. */
export async function checkRefIds(
  project: Project,
  fields: TypedFields,
  steps: readonly Step[],
  errors: Map<number, string>,
): Promise<void> {
  for (const [field, target] of fields.refs) {
    const ids = steps.map((step) => givenIn(step, field));
    if (!ids.some((id) => typeof id === 'number')) continue;
    const found = await recordsById(project, target, ids);
    for (const step of steps) {
      const id = givenIn(step, field);
      if (typeof id === 'number' && !found.has(id) && !errors.has(step.line))
        errors.set(step.line, `${field}: there is no ${target} #${id}`);
    }
  }
}
