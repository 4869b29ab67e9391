import type { Command } from 'commander';
import type { RecordView } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { changeLine, fieldChanges } from '../field-changes.js';
import { displayValue, stdoutOut, type Out } from '../output.js';
import type { RefLabels } from '../../operations/ref-labels.js';
import type { WithSource } from '../local-or-remote.js';
import type { GlobalOptions } from '../project-context.js';
import { recordValues } from '../../records/typed-values.js';
import type { ListedModel, RecordsSource } from '../remote/remote-records.js';

/**
 * `records show|add|set|delete`: one record, read or written as the caller, on the project or with
 * --server through its API (the model's view/add/change/delete permission there). A record is
 * named by its id or, for a model with a `name` field (Host among them), by its name. Every write
 * is in the audit log, as the API's are.
 */
export function registerRecordWriteCommands(
  records: Command,
  globals: () => GlobalOptions,
  withRecords: WithSource<RecordsSource>,
): void {
  records
    .command('show <model> <record>')
    .description('show one record (by id, or by name) with what its refs point at')
    .option('--json', 'print JSON')
    .action(async (modelName: string, named: string, options: { json?: boolean }) => {
      const out = stdoutOut();
      await withRecords(globals(), async (source) => {
        const model = await source.model(modelName);
        const view = await source.get(model.name, await recordId(source, model, named));
        if (options.json) return out.json(view);
        await printRecord(out, source, model, view);
      });
    });

  records
    .command('add <model> <field=value...>')
    .description('add a record: field=value for each field (a ref: the id or name it points at)')
    .option('--json', 'print the record as JSON')
    .action(async (modelName: string, words: string[], options: { json?: boolean }) => {
      const out = stdoutOut();
      await withRecords(globals(), async (source) => {
        const model = await source.model(modelName);
        const values = await recordValues(words, model, (target, name) =>
          source.idsByName(target, name),
        );
        const created = await source.create(model.name, values);
        if (options.json) return out.json(created);
        out.line(`added ${created._label}`);
      });
    });

  records
    .command('set <model> <record> <field=value...>')
    .description('change fields of a record (field= clears an optional one)')
    .option('--json', 'print the record as JSON')
    .action(
      async (modelName: string, named: string, words: string[], options: { json?: boolean }) => {
        const out = stdoutOut();
        await withRecords(globals(), async (source) => {
          const model = await source.model(modelName);
          const id = await recordId(source, model, named);
          const values = await recordValues(words, model, (target, name) =>
            source.idsByName(target, name),
          );
          const before = await source.get(model.name, id);
          const after = await source.update(model.name, id, values);
          if (options.json) return out.json(after);
          const labels = await source.refLabels(model, [before, after]);
          const changes = fieldChanges(before, after, model.fields, (value, field) =>
            shown(value, field, labels),
          );
          out.line(changeLine(after._label, changes));
        });
      },
    );

  records
    .command('delete <model> <record>')
    .description('delete a record (and, through a required ref, the records that hang on it)')
    .action(async (modelName: string, named: string) => {
      const out = stdoutOut();
      await withRecords(globals(), async (source) => {
        const model = await source.model(modelName);
        const id = await recordId(source, model, named);
        const { _label: label } = await source.get(model.name, id);
        await source.remove(model.name, id);
        out.line(`deleted ${label}`);
      });
    });
}

/** The id the user meant: a number as it is, a name when exactly one record has it. */
export async function recordId(
  source: RecordsSource,
  model: ListedModel,
  named: string,
): Promise<number> {
  if (/^\d+$/.test(named)) return Number(named);
  if (!model.kinds.has('name'))
    throw new UsageError(`${model.name} has no name field: name the record by its id`);
  const ids = await source.idsByName(model.name, named);
  if (ids.length === 1) return ids[0] as number;
  throw new UsageError(
    ids.length === 0
      ? `no ${model.name} named "${named}"`
      : `more than one ${model.name} is named "${named}": name it by its id`,
  );
}

async function printRecord(
  out: Out,
  source: RecordsSource,
  model: ListedModel,
  view: RecordView,
): Promise<void> {
  const labels = await source.refLabels(model, [view]);
  const rows: [string, string][] = [
    ['id', String(view.id)],
    ['label', view._label],
    ...model.fields.map((field): [string, string] => [field, shown(view[field], field, labels)]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  for (const [name, value] of rows) out.line(`${`${name}:`.padEnd(width)}${value}`);
}

/** A field as a person reads it: a ref by what it points at, an empty one as `-`. */
export function shown(value: unknown, field: string, labels: RefLabels): string {
  if (value === null || value === undefined || value === '') return '-';
  const label = typeof value === 'number' ? labels.get(field)?.get(value) : undefined;
  return label ?? displayValue(value);
}
