import type { Command } from 'commander';
import { localOrRemote } from '../local-or-remote.js';
import { displayValue, stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import type { RecordValues } from '../../model/record-codec.js';
import type { RefLabels } from '../../operations/ref-labels.js';
import type { RecordsSource } from '../remote/remote-records.js';
import { readPages } from '../read-pages.js';
import { addPageFlags, pageWindowOf, type PageFlags } from '../page-flags.js';
import { registerRecordWriteCommands } from './records-write.js';
import { registerRecordExportCommand } from './records-export.js';
import { registerRecordImportCommand } from './records-import.js';
import { registerRecordChangesCommand } from './records-changes.js';
import { addFilterFlags } from '../record-filter-flags.js';

interface ListOptions extends PageFlags {
  where?: string;
  search?: string;
  order?: string;
  json?: boolean;
}

/** The project's records or, with --server, a server's (the model's view permission). */
const withRecords = localOrRemote<RecordsSource>({
  remote: async (api) => (await import('../remote/remote-records.js')).remoteRecords(api),
  local: async (project) => (await import('./records-local.js')).localRecords(project),
});

export function registerRecordCommands(program: Command): void {
  const records = program
    .command('records')
    .description("records of the project's models (and of Host)");
  const list = addFilterFlags(
    records
      .command('list <model>')
      .description('list records: filter through refs, search, order, page'),
  );
  addPageFlags(list, '50')
    .option('--json', 'print JSON')
    .action(async (modelName: string, options: ListOptions) => {
      const out = stdoutOut();
      const wanted = pageWindowOf(options);
      await withRecords(program.opts<GlobalOptions>(), async (source) => {
        const model = await source.model(modelName);
        const page = await readPages(wanted, (window) =>
          source.list(model, {
            where: options.where,
            search: options.search,
            order: options.order,
            ...window,
          }),
        );
        if (options.json) return out.json(page);
        // A ref shows what it points at (the host's name), not a bare id.
        const labels = await source.refLabels(model, page.items);
        const columns = ['id', ...model.fields];
        out.table(
          columns.map((c) => c.toUpperCase()),
          page.items.map((record) => columns.map((c) => cell(record, c, labels))),
        );
        out.line(
          `${page.items.length === 0 ? 'no records' : `${page.offset + 1}-${page.offset + page.items.length} of ${page.total}`}`,
        );
      });
    });
  registerRecordWriteCommands(records, () => program.opts<GlobalOptions>(), withRecords);
  registerRecordExportCommand(records, () => program.opts<GlobalOptions>(), withRecords);
  registerRecordImportCommand(records, () => program.opts<GlobalOptions>(), withRecords);
  registerRecordChangesCommand(records, () => program.opts<GlobalOptions>(), withRecords);
}

function cell(record: RecordValues, column: string, labels: RefLabels): string {
  const value = record[column];
  const label = typeof value === 'number' ? labels.get(column)?.get(value) : undefined;
  const text = label ?? displayValue(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
