import { InputError } from '../errors.js';
import { recordValues, type IdsByName, type TypedFields } from './typed-values.js';

/** Columns an export writes that an import reads past: Minke sets them itself. */
const WRITTEN_BY_MINKE = new Set(['id', 'created_at', 'updated_at']);

/** A host's groups column, which is not a field of Host (the groups are). */
const GROUPS = 'groups';

/**
 * The header of a CSV to import, checked against the model: every column is a field, `id`, a
 * timestamp, or (for hosts) `groups`. A column that is none of these is the user's mistake.
 */
export function checkImportColumns(columns: readonly string[], model: TypedFields): void {
  for (const column of columns) {
    if (WRITTEN_BY_MINKE.has(column) || model.kinds.has(column)) continue;
    if (column === GROUPS && model.name === 'Host') continue;
    throw new InputError(
      `column "${column}" is not a field of ${model.name} (fields: ${[...model.kinds.keys()].join(', ')})`,
    );
  }
}

/**
 * One CSV row's values as `records set` would type them, read the way `records export` wrote
 * them: a ref as its target's label (`web-1 (Server #2)`, `Server #2`), id or name; a host's
 * groups comma-separated; an empty cell as nothing; the `'` that kept a formula from a
 * spreadsheet taken off again.
 */
export async function csvRecordValues(
  cells: Readonly<Record<string, string>>,
  model: TypedFields,
  idsByName: IdsByName,
): Promise<Record<string, unknown>> {
  const words: string[] = [];
  let groups: string[] | undefined;
  for (const [column, cell] of Object.entries(cells)) {
    if (WRITTEN_BY_MINKE.has(column)) continue;
    if (column === GROUPS && !model.kinds.has(GROUPS)) {
      groups = cell
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      continue;
    }
    const text = unguarded(cell);
    const target = model.refs.get(column);
    words.push(`${column}=${target === undefined ? text : refText(text, target)}`);
  }
  const values = words.length === 0 ? {} : await recordValues(words, model, idsByName);
  return groups === undefined ? values : { ...values, groups };
}

/**
 * The names a row's ref cells give (`target model`, `name`), to be looked up together before the
 * rows are typed: a cell with an id or a label (`web-1 (Server #2)`) names no record by name.
 */
export function refNamesIn(
  cells: Readonly<Record<string, string>>,
  model: TypedFields,
): [target: string, name: string][] {
  const names: [string, string][] = [];
  for (const [column, target] of model.refs) {
    const cell = cells[column];
    if (cell === undefined || cell === '') continue;
    const text = refText(unguarded(cell), target);
    if (!/^\d+$/.test(text)) names.push([target, text]);
  }
  return names;
}

/** The id in a label a list gives (`web-1 (Server #2)`, `Server #2`), or the text as it is. */
function refText(text: string, target: string): string {
  const escaped = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const label = new RegExp(`(?:^|\\(|\\s)${escaped} #(\\d+)\\)?$`).exec(text);
  return label?.[1] ?? text;
}

/** A cell as it was before `records export` kept a spreadsheet from reading it as a formula. */
function unguarded(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
