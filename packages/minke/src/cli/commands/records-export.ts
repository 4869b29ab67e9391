import type { Command } from 'commander';
import type { WithSource } from '../local-or-remote.js';
import { stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import type { RecordsFilter, RecordsSource } from '../remote/remote-records.js';
import { addFilterFlags } from '../record-filter-flags.js';

interface ExportOptions extends RecordsFilter {
  out?: string;
}

/**
 * `records export MODEL`: every record the filters match as CSV (a spreadsheet's or a script's),
 * on the project or through a server (the model's view permission there; refs to a model the
 * token's user may not view keep their ids). To stdout, or whole to `--out FILE`.
 */
export function registerRecordExportCommand(
  records: Command,
  globals: () => GlobalOptions,
  withRecords: WithSource<RecordsSource>,
): void {
  addFilterFlags(
    records
      .command('export <model>')
      .description('every record the filters match, as CSV (refs by name), to stdout or a file'),
  )
    .option('--out <file>', 'write the file whole (or not at all) and say how many records')
    .action(async (modelName: string, options: ExportOptions) => {
      const out = stdoutOut();
      const { out: file, ...filter } = options;
      await withRecords(globals(), async (source) => {
        const model = await source.model(modelName);
        const csv = await source.exportCsv(model, filter);
        if (file === undefined) {
          const [{ pipeline }, { Readable }] = await Promise.all([
            import('node:stream/promises'),
            import('node:stream'),
          ]);
          await pipeline(Readable.from(csv.text), process.stdout, { end: false });
          return;
        }
        const { writeWholeFile } = await import('../output-file.js');
        await writeWholeFile(file, csv.text);
        out.line(`exported ${csv.total} ${model.name} record(s) to ${file}`);
      });
    });
}
