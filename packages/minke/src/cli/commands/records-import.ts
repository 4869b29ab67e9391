import type { Command } from 'commander';
import type { RecordView } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { checkImportColumns, csvRecordValues } from '../csv-record-values.js';
import { fieldChanges, shownValue } from '../field-changes.js';
import { readInputFile } from '../input-file.js';
import type { WithSource } from '../local-or-remote.js';
import { stdoutOut } from '../output.js';
import { shown } from './records-write.js';
import type { GlobalOptions } from '../project-context.js';
import type { ListedModel, RecordsSource } from '../remote/remote-records.js';

/** What one row of the file does: add a record, or change (or leave) the one its id names. */
type Step =
  | { line: number; add: Record<string, unknown> }
  | { line: number; id: number; before: RecordView; change: Record<string, unknown> };

/** How many errors an import lists before it stops looking: enough to fix a file in one go. */
const ERRORS_SHOWN = 10;

/**
 * `records import MODEL FILE`: the CSV `records export` writes (or a spreadsheet's), read back.
 * A row with an `id` changes that record, only in the fields whose values differ; a row without
 * one adds a record. Every row is read and checked first (types, refs, ids), and nothing is
 * written unless all of them pass. Writes go through the same record operations as `records
 * set` and `add` (on a server: the model's change and add permissions), each in the audit log.
 */
export function registerRecordImportCommand(
  records: Command,
  globals: () => GlobalOptions,
  withRecords: WithSource<RecordsSource>,
): void {
  records
    .command('import <model> <file>')
    .description(
      'add and change records from CSV (as records export writes it): rows with an id change that record',
    )
    .option('--dry-run', 'check the file and say what would change, without writing')
    .action(async (modelName: string, file: string, options: { dryRun?: boolean }) => {
      const out = stdoutOut();
      const text = await readInputFile(file);
      const { parseCsv } = await import('../../inventory/parse-csv.js');
      const rows = parseCsv(text);
      await withRecords(globals(), async (source) => {
        const model = await source.model(modelName);
        checkImportColumns(Object.keys(rows[0]?.cells ?? {}), model);
        const steps = await planImport(source, model, file, rows);
        const counts = { added: 0, changed: 0, unchanged: 0 };
        for (const step of steps) {
          const done = await applyStep(source, model, step, options.dryRun === true).catch(
            (error: unknown) => {
              // The same error (its exit code: a refusal is 1, a bad value 2), saying where.
              if (!(error instanceof Error)) throw error;
              const done = `${counts.added} added and ${counts.changed} changed before it`;
              error.message = `${file} line ${step.line}: ${error.message} (${done})`;
              throw error;
            },
          );
          counts[done.outcome]++;
          if (done.line !== undefined) out.line(done.line);
        }
        const verb = options.dryRun ? 'would be ' : '';
        out.line(
          `${file}: ${counts.added} ${verb}added, ${counts.changed} ${verb}changed, ${counts.unchanged} unchanged`,
        );
      });
    });
}

/** Every row checked and typed before anything is written; all errors at once (the first ten). */
async function planImport(
  source: RecordsSource,
  model: ListedModel,
  file: string,
  rows: readonly { line: number; cells: Record<string, string> }[],
): Promise<Step[]> {
  const steps: Step[] = [];
  const errors: string[] = [];
  // The records the rows name, read a few hundred at a time rather than one request a row.
  const ids = rows.map((row) => row.cells['id'] ?? '').filter((id) => /^\d+$/.test(id));
  const existing = new Map(
    (await source.getMany(model.name, [...new Set(ids)].map(Number))).map((view) => [
      view.id,
      view,
    ]),
  );
  for (const { line, cells } of rows) {
    if (errors.length >= ERRORS_SHOWN) break;
    try {
      const values = await csvRecordValues(cells, model, (target, name) =>
        source.idsByName(target, name),
      );
      const idText = cells['id'] ?? '';
      if (idText === '') {
        steps.push({ line, add: values });
        continue;
      }
      if (!/^\d+$/.test(idText)) throw new UsageError(`id "${idText}" is not a record id`);
      const before = existing.get(Number(idText));
      if (!before) throw new UsageError(`${model.name} ${idText} does not exist`);
      const change = Object.fromEntries(
        Object.entries(values).filter(
          ([field, value]) => JSON.stringify(before[field] ?? null) !== JSON.stringify(value),
        ),
      );
      steps.push({ line, id: before.id, before, change });
    } catch (error) {
      errors.push(`${file} line ${line}: ${messageOf(error)}`);
    }
  }
  if (errors.length > 0) {
    for (const error of errors) process.stderr.write(`${error}\n`);
    const some =
      errors.length >= ERRORS_SHOWN ? `the first ${ERRORS_SHOWN}` : String(errors.length);
    throw new UsageError(`nothing imported: ${some} row(s) with errors, above`);
  }
  return steps;
}

async function applyStep(
  source: RecordsSource,
  model: ListedModel,
  step: Step,
  dryRun: boolean,
): Promise<{ outcome: 'added' | 'changed' | 'unchanged'; line?: string }> {
  if ('add' in step) {
    if (dryRun) return { outcome: 'added', line: `would add ${model.name} from line ${step.line}` };
    return {
      outcome: 'added',
      line: `added ${(await source.create(model.name, step.add))._label}`,
    };
  }
  const fields = Object.keys(step.change);
  if (fields.length === 0) return { outcome: 'unchanged' };
  const after = dryRun
    ? { ...step.before, ...step.change }
    : await source.update(model.name, step.id, step.change);
  // Labels only when a ref changed: a query (a request, on a server) a row otherwise.
  const labels = fields.some((field) => model.refs.has(field))
    ? await source.refLabels(model, [step.before, after])
    : new Map<string, Map<number, string>>();
  // As `records set` shows a change: a ref by its label, a list as `a,b`, nothing as `-`.
  const changes = fieldChanges(step.before, after, fields, (value, field) =>
    typeof value === 'number' ? shown(value, field, labels) : shownValue(value),
  );
  const verb = dryRun ? 'would change' : 'changed';
  return { outcome: 'changed', line: `${verb} ${step.before._label}: ${changes.join(', ')}` };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
