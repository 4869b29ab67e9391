import type { Command } from 'commander';
import type { ImportedRow } from '@minke/contract/api/records';
import { UsageError } from '../cli-error.js';
import { readInputFile } from '../input-file.js';
import type { WithSource } from '../local-or-remote.js';
import { stdoutOut } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import type { RecordsSource } from '../remote/remote-records.js';

/**
 * `records import MODEL FILE`: the CSV `records export` writes (or a spreadsheet's), read back by
 * the project or the server in one go (`POST /api/records/:model/import`). A row with an `id`
 * changes that record, only in the fields whose values differ; a row without one adds a record.
 * Every row is checked first (types, refs, ids, permissions), and nothing is written unless all
 * pass; writes go through the record operations, each in the audit log.
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
      const csv = await readInputFile(file);
      const { RECORD_IMPORT_MAX_BYTES } = await import('@minke/contract/api/import-limit');
      const bytes = Buffer.byteLength(csv);
      if (bytes > RECORD_IMPORT_MAX_BYTES)
        throw new UsageError(
          `${file} is ${mib(bytes)} MiB; an import takes ${mib(RECORD_IMPORT_MAX_BYTES)} MiB at most: split it into smaller files`,
        );
      await withRecords(globals(), async (source) => {
        const model = await source.model(modelName);
        const report = await source
          .importCsv(model.name, csv, options.dryRun === true)
          .catch((error: unknown) => {
            throw inFile(file, error);
          });
        for (const row of report.rows) out.line(rowLine(row, report.dryRun));
        const verb = report.dryRun ? 'would be ' : '';
        out.line(
          `${file}: ${report.added} ${verb}added, ${report.changed} ${verb}changed, ${report.unchanged} unchanged`,
        );
      });
    });
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

/** As `records set` prints a change: `changed blog (App #2): version 6.5.2 → 6.5.3`. */
function rowLine(row: ImportedRow, dryRun: boolean): string {
  if (row.outcome === 'added') {
    if (!dryRun) return `added ${row.label}`;
    const values = row.changes.map((c) => `${c.field} ${c.after}`).join(', ');
    return `would add ${row.label}${values === '' ? '' : `: ${values}`}`;
  }
  const changes = row.changes.map((c) => `${c.field} ${c.before} → ${c.after}`).join(', ');
  return `${dryRun ? 'would change' : 'changed'} ${row.label}: ${changes}`;
}

/**
 * An import's error as the user reads it, naming the file: each bad row on its own line of stderr
 * (the error's `fields`, `line 3` → why), or the line a write was refused on.
 */
function inFile(file: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const fields = 'fields' in error ? (error.fields as Record<string, string> | undefined) : {};
  const rows = Object.entries(fields ?? {}).filter(([key]) => /^line \d+$/.test(key));
  if (rows.length > 0) {
    for (const [line, why] of rows) process.stderr.write(`${file} ${line}: ${why}\n`);
    return new UsageError(`${error.message}, above`);
  }
  if (/^line \d+: /.test(error.message)) error.message = `${file} ${error.message}`;
  // The server gone mid-import (stopped, killed, the network): what it wrote is written.
  if ('code' in error && error.code === 'unreachable')
    error.message += `; if the server stopped during the import, the rows it wrote stay written: run the same import again to finish (rows already changed are left as they are, --dry-run says what is left)`;
  return error;
}
